import { createHmac } from 'node:crypto';
import { describe, expect, it as plainIt } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode } from '../src/api/errors.js';
import { WEBHOOK_PATH } from '../src/api/paths.js';
import { hashPassword, SESSION_MAX_AGE_SECONDS } from '../src/http/auth.js';
import { useTestServer } from './helpers/fixtures.js';
import {
  collect,
  EXAMPLE_CREATE,
  ManualClock,
  postEvent,
  startTestServer,
  waitFor,
  wsClient,
} from './helpers/server.js';

const TOKEN = 'correct-horse-battery-staple-42';

const tokenTest = useTestServer({
  env: { AUTH_TOKEN: TOKEN },
  dashboardHtml: '<!doctype html><title>dash</title>',
});
const usersTest = useTestServer({
  env: { AUTH_USERS: `alice:${hashPassword('wonderland')},bob:${hashPassword('builder')}` },
});
const originsTest = useTestServer({ env: { ALLOWED_ORIGINS: 'https://hookscope.example.com' } });

/** Opens a raw graphql-ws socket and reports how the server ends (or acknowledges) it. */
function wsHandshake(
  url: string,
  init: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ acked: boolean; closeCode: number | null; httpStatus: number | null }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve({ acked: false, closeCode: null, httpStatus: response.statusCode ?? null });
      socket.terminate();
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: init })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'connection_ack') {
        resolve({ acked: true, closeCode: null, httpStatus: null });
        socket.close();
      }
    });
    socket.on('close', (code) => resolve({ acked: false, closeCode: code, httpStatus: null }));
    socket.on('error', () => undefined);
  });
}

describe('AUTH_TOKEN', () => {
  const it = tokenTest;

  it('refuses REST and GraphQL reads without the token (401 JSON), accepts them with Bearer', async ({
    t,
  }) => {
    for (const path of ['/events', '/events/x', '/entities/x', '/aggregates/x']) {
      const response = await fetch(`${t.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    }
    const query = { query: '{ stats { totalEvents } }' };
    const denied = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(query),
    });
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(query),
    });
    expect(allowed.status).toBe(200);
    const wrong = await fetch(`${t.url}/events`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${t.url}/events`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
  });

  it('leaves the webhook (governed by its signature) and /healthz open', async ({ t }) => {
    expect((await postEvent(t.url, EXAMPLE_CREATE)).status).toBe(201);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('sends a browser to the login form, and the form sets an HttpOnly SameSite=Strict session cookie', async ({
    t,
  }) => {
    const page = await fetch(`${t.url}/dashboard/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?next=%2Fdashboard%2F');
    const bad = await fetch(`${t.url}/login?next=%2Fdashboard%2F`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=nope',
      redirect: 'manual',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const login = await fetch(`${t.url}/login?next=https%3A%2F%2Fevil.example%2F`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    // An absolute `next` is ignored: no open redirect.
    expect(login.headers.get('location')).toBe('/dashboard/');
    const cookie = login.headers.get('set-cookie') ?? '';
    const [session = '', ...attributes] = cookie.split('; ');
    expect(session).toMatch(/^hookscope_session=[^;]+$/);
    // Over plain HTTP: no Secure (it is set when the request came over HTTPS).
    expect(attributes.sort()).toEqual([
      'HttpOnly',
      `Max-Age=${SESSION_MAX_AGE_SECONDS}`,
      'Path=/',
      'SameSite=Strict',
    ]);

    const dashboard = await fetch(`${t.url}/dashboard/`, { headers: { cookie: session } });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('<title>dash</title>');
    const gql = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session },
      body: JSON.stringify({ query: '{ stats { totalEvents } }' }),
    });
    expect(gql.status).toBe(200);
    // The WebSocket upgrade carries the same cookie in a browser.
    expect(await wsHandshake(t.wsUrl, {}, { cookie: session })).toMatchObject({ acked: true });
    // A forged or altered cookie is worth nothing.
    const forged = `${session.slice(0, -2)}xx`;
    expect((await fetch(`${t.url}/events`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it('closes a WebSocket without credentials with 4403, and serves one with connectionParams.authToken', async ({
    t,
  }) => {
    expect(await wsHandshake(t.wsUrl)).toMatchObject({ acked: false, closeCode: 4403 });
    expect(await wsHandshake(t.wsUrl, { authToken: 'wrong' })).toMatchObject({ closeCode: 4403 });
    const client = wsClient(t.wsUrl, { authToken: TOKEN });
    const sub = collect<{ eventAdded: { entityId: string } }>(
      client,
      'subscription { eventAdded { entityId } }',
    );
    await waitFor(() => t.server.subscriberCount('eventAdded') > 0);
    await postEvent(t.url, EXAMPLE_CREATE);
    expect((await sub.next()).eventAdded.entityId).toBe(EXAMPLE_CREATE.payload.id);
    sub.dispose();
    await client.dispose();
  });
});

describe('AUTH_USERS (basic auth, scrypt hashes)', () => {
  const it = usersTest;

  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('asks for basic auth, accepts each user with the right password only', async ({ t }) => {
    const none = await fetch(`${t.url}/events`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    expect(
      (await fetch(`${t.url}/events`, { headers: { authorization: basic('alice', 'wonderland') } })).status,
    ).toBe(200);
    expect(
      (await fetch(`${t.url}/events`, { headers: { authorization: basic('bob', 'builder') } })).status,
    ).toBe(200);
    expect(
      (await fetch(`${t.url}/events`, { headers: { authorization: basic('alice', 'builder') } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${t.url}/events`, { headers: { authorization: basic('mallory', 'x') } })).status,
    ).toBe(401);
  });

  it('gives a signed-in browser a session cookie that lets its WebSocket in (browsers send no basic auth there)', async ({
    t,
  }) => {
    const response = await fetch(`${t.url}/events`, {
      headers: { authorization: basic('alice', 'wonderland') },
    });
    const session = (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(session).toMatch(/^hookscope_session=/);
    expect(await wsHandshake(t.wsUrl, {}, { cookie: session })).toMatchObject({ acked: true });
    expect(await wsHandshake(t.wsUrl, { authToken: 'alice:wonderland' })).toMatchObject({ acked: true });
    expect(await wsHandshake(t.wsUrl, { authToken: 'alice:nope' })).toMatchObject({ closeCode: 4403 });
  });
});

describe('WebSocket Origin check (ALLOWED_ORIGINS)', () => {
  const it = originsTest;

  it('refuses an upgrade from a foreign origin and accepts its own, localhost and listed origins', async ({
    t,
  }) => {
    expect(await wsHandshake(t.wsUrl, {}, { origin: 'https://evil.example' })).toMatchObject({
      acked: false,
      httpStatus: 401,
    });
    expect(await wsHandshake(t.wsUrl, {}, { origin: 'null' })).toMatchObject({ acked: false });
    expect(await wsHandshake(t.wsUrl, {}, { origin: t.url })).toMatchObject({ acked: true });
    expect(await wsHandshake(t.wsUrl, {}, { origin: 'http://localhost:5173' })).toMatchObject({
      acked: true,
    });
    expect(await wsHandshake(t.wsUrl, {}, { origin: 'https://hookscope.example.com' })).toMatchObject({
      acked: true,
    });
    // No Origin: not a browser, so not a cross-site hijack.
    expect(await wsHandshake(t.wsUrl)).toMatchObject({ acked: true });
  });
});

describe('AUTH_TOKEN with WEBHOOK_SECRET: the webhook is guarded by its signature only', () => {
  plainIt(
    'answers an unsigned delivery with a signature code, never UNAUTHENTICATED, and stores a signed one without the reader token',
    async () => {
      const secret = Buffer.from('a webhook key of enough bytes, 32').toString('base64');
      const t = await startTestServer({ env: { AUTH_TOKEN: TOKEN, WEBHOOK_SECRET: `whsec_${secret}` } });
      try {
        const body = JSON.stringify(EXAMPLE_CREATE);
        const url = `${t.url}${WEBHOOK_PATH}`;
        const unsigned = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(unsigned.status).toBe(401);
        expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe(
          ErrorCode.SIGNATURE_HEADER_MISSING,
        );
        const id = 'msg_reachable_without_reader_token';
        const timestamp = String(Math.floor(Date.now() / 1000));
        const mac = createHmac('sha256', Buffer.from(secret, 'base64'))
          .update(`${id}.${timestamp}.${body}`)
          .digest('base64');
        const signed = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': timestamp,
            'webhook-signature': `v1,${mac}`,
          },
          body,
        });
        expect(signed.status).toBe(201);
        // The reads next to it still want the token.
        expect((await fetch(`${t.url}${signed.headers.get('location') ?? ''}`)).status).toBe(401);
      } finally {
        await t.dispose();
      }
    },
  );
});

describe('session expiry (injected clock)', () => {
  plainIt(
    'refuses a session cookie once SESSION_MAX_AGE_SECONDS have passed on the server clock',
    async () => {
      const clock = new ManualClock();
      const t = await startTestServer({ clock, env: { AUTH_TOKEN: TOKEN } });
      try {
        const login = await fetch(`${t.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: TOKEN }).toString(),
          redirect: 'manual',
        });
        const session = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
        clock.advance(SESSION_MAX_AGE_SECONDS * 1000);
        expect((await fetch(`${t.url}/events`, { headers: { cookie: session } })).status).toBe(200);
        clock.advance(1);
        expect((await fetch(`${t.url}/events`, { headers: { cookie: session } })).status).toBe(401);
        expect(await wsHandshake(t.wsUrl, {}, { cookie: session })).toMatchObject({ closeCode: 4403 });
      } finally {
        await t.dispose();
      }
    },
  );
});
