import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';

// A web root like the build's: the dashboard's page and the query IDE's (the browser test runs the real build).
const webRoot = mkdtempSync(join(tmpdir(), 'hookscope-web-graphiql-'));
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>dashboard</title>');
writeFileSync(join(webRoot, 'graphiql.html'), '<!doctype html><title>query IDE</title>');
afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

const TOKEN = 'graphiql-test-token-0123456789';
const openTest = useTestServer({ webRoot });
const guardedTest = useTestServer({ webRoot, env: { AUTH_TOKEN: TOKEN } });

/** The directives of a Content-Security-Policy header, by name. */
function directives(policy: string | null): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) byName.set(name, values);
  }
  return byName;
}

describe('GET /graphiql', () => {
  const it = openTest;

  it('serves the query IDE page with a policy of its own: same origin only, no eval, no inline script', async ({
    t,
  }) => {
    const response = await fetch(`${t.url}/graphiql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('query IDE');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const policy = directives(response.headers.get('content-security-policy'));
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    // Monaco's workers are same-origin modules; its icon font is inlined in GraphiQL's stylesheet.
    expect(policy.get('worker-src')).toEqual(["'self'"]);
    expect(policy.get('font-src')).toEqual(["'self'", 'data:']);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    // No directive names another origin (an https: source or a host), blob: or eval.
    for (const [name, values] of policy) {
      for (const value of values) {
        expect(`${name} ${value}`).toMatch(new RegExp(`^${name} ('self'|'none'|'unsafe-inline'|data:)$`));
      }
    }
  });

  it('leaves the dashboard its stricter policy, and serves the IDE page nowhere else', async ({ t }) => {
    const dashboard = await fetch(`${t.url}/dashboard/`);
    const policy = directives(dashboard.headers.get('content-security-policy'));
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.has('font-src')).toBe(false);
    expect(policy.has('worker-src')).toBe(false);
    const copy = await fetch(`${t.url}/dashboard/graphiql.html`);
    expect(await copy.text()).not.toContain('query IDE');
  });
});

describe('GET /graphiql with AUTH_TOKEN', () => {
  const it = guardedTest;

  it('sends a browser to the sign-in form and back, like the dashboard', async ({ t }) => {
    const page = await fetch(`${t.url}/graphiql`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fgraphiql');

    const signIn = await fetch(`${t.url}/login?next=%2Fgraphiql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/graphiql');
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';

    const signedIn = await fetch(`${t.url}/graphiql`, { headers: { accept: 'text/html', cookie } });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('query IDE');
    // The IDE's requests carry the same cookie, and the API answers them.
    const answer = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ query: '{ stats { totalEvents } }' }),
    });
    expect(answer.status).toBe(200);
  });
});
