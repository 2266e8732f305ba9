import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  launchBrowser,
  postEvent,
  screenshot,
  startServerProcess,
  type ServerProcess,
  type WebhookBody,
} from './helpers.js';

/** The README's first example event: the README's `Then` operation asks for this entity's state after it. */
const README_CREATE: WebhookBody = {
  action: 'create',
  entity_type: 'component',
  time: '2021-12-20T10:59:55Z',
  payload: { id: '25589645-cd89-44bb-8954-6b4ee87aa57f', name: 'image name', file_type: 'jpeg' },
};
const AUTH_TOKEN = 'e2e-graphiql-token';
/** The dashboard's initial JavaScript budget (docs/dashboard.md, "Speed"), gzipped. */
const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

/** What a page of an offline context tried beyond the test server, and what its policy refused. */
interface Watch {
  context: BrowserContext;
  page: Page;
  /** Requests to any other origin (each was aborted). */
  remote: string[];
  /** CSP violations: console reports and `securitypolicyviolation` events of the page and its workers. */
  violations: string[];
  pageErrors: string[];
}

let browser: Browser;
let open: ServerProcess;
let guarded: ServerProcess;
const dataDirs: string[] = [];

/** A context with no network beyond `server`: every request to another origin is recorded and aborted. */
async function offlineContext(server: ServerProcess): Promise<Watch> {
  const origin = new URL(server.url).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const watch: Watch = { context, page: await context.newPage(), remote: [], violations: [], pageErrors: [] };
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    watch.remote.push(url);
    return route.abort('internetdisconnected');
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const { page } = watch;
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) watch.violations.push(message.text());
  });
  page.on('worker', (worker) =>
    worker.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) watch.violations.push(message.text());
    }),
  );
  page.on('pageerror', (error) => watch.pageErrors.push(error.message));
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).host !== new URL(origin).host) watch.remote.push(socket.url());
  });
  return watch;
}

/** The operation editor's text (Monaco renders it as spans; an nbsp stands for each space). */
const editorText = (page: Page): Promise<string> =>
  page
    .locator('.graphiql-query-editor .view-lines')
    .innerText()
    .then((text) => text.replaceAll('\u00a0', ' '))
    .catch(() => '');

/** Waits until the editor shows the first README tab: Monaco is one large chunk, slow to parse on a busy machine. */
async function editorReady(page: Page): Promise<void> {
  await expect.poll(() => editorText(page), { timeout: 60_000 }).toContain('query Recent');
}

/** Opens the tab of the README operation `name` and runs it. */
async function run(page: Page, name: string): Promise<void> {
  await page.locator('.graphiql-tab', { hasText: name }).click();
  await expect
    .poll(() => editorText(page), { timeout: 15_000 })
    .toMatch(new RegExp(`^(query|subscription) ${name} `));
  await page.locator('.graphiql-execute-button').click();
}

/** Waits until GraphiQL's response pane shows `text`. */
async function answerShows(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  await page.locator('.result-window').getByText(text).first().waitFor({ timeout: timeoutMs });
}

beforeAll(async () => {
  const openDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-graphiql-'));
  const guardedDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-graphiql-auth-'));
  dataDirs.push(openDir, guardedDir);
  open = await startServerProcess({ port: await freePort(), dataDir: openDir });
  guarded = await startServerProcess({
    port: await freePort(),
    dataDir: guardedDir,
    env: { AUTH_TOKEN },
  });
  // No resolver either: a name other than the loopback address fails in the browser itself, so the test
  // cannot pass merely because the machine happens to reach the internet.
  browser = await launchBrowser(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
});

afterAll(async () => {
  await browser?.close();
  await open?.stop();
  await guarded?.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

// Each test loads Monaco (about 700 KB gzipped) into a fresh context: more than the project's default.
describe('GraphiQL at /graphiql, with no network beyond hookscope', { timeout: 150_000 }, () => {
  it('loads with the README operations as tabs, answers a query and a live subscription', async () => {
    const watch = await offlineContext(open);
    const { page } = watch;
    /** The subscribe messages the page sent on its graphql-ws socket. */
    const subscribed: string[] = [];
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes('"subscribe"')) subscribed.push(payload);
      }),
    );
    const response = await page.goto(`${open.url}/graphiql`);
    expect(response?.headers()['content-security-policy']).toContain("worker-src 'self'");
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    for (const name of ['Recent', 'Then', 'Live']) {
      await page.locator('.graphiql-tab', { hasText: name }).waitFor();
    }
    await editorReady(page);

    await postEvent(open.url, README_CREATE);
    await run(page, 'Then');
    await answerShows(page, '"image name"');
    await screenshot(page, 'graphiql');

    await run(page, 'Live');
    await expect
      .poll(() => subscribed.some((message) => message.includes('Live')), { timeout: 15_000 })
      .toBe(true);
    // graphql-ws does not acknowledge a subscribe: until the server has registered it, a posted event may
    // commit first and pass by. Each attempt waits for its own event to show, so none is a blind sleep.
    let shown: string | null = null;
    for (let attempt = 0; attempt < 10 && shown === null; attempt++) {
      const id = await postEvent(open.url, {
        action: 'create',
        entity_type: 'task',
        time: new Date().toISOString(),
        payload: { id: `graphiql-live-${attempt}`, name: 'posted while subscribed' },
      });
      shown = await answerShows(page, id, 3_000).then(
        () => id,
        () => null,
      );
    }
    expect(shown).not.toBeNull();
    await answerShows(page, '"eventAdded"');

    await watch.context.close();
    expect(watch.remote).toEqual([]);
    expect(watch.violations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });

  it("is the dashboard header's Query tab, and stays out of the dashboard's initial bundle", async () => {
    const watch = await offlineContext(open);
    const { page } = watch;
    const scripts: { url: string; gzipBytes: number }[] = [];
    const loading: Promise<void>[] = [];
    const measure = (response: Response): void => {
      if (response.request().resourceType() !== 'script') return;
      loading.push(
        response.body().then((body) => {
          scripts.push({ url: response.url(), gzipBytes: gzipSync(body, { level: 9 }).length });
        }),
      );
    };
    page.on('response', measure);
    await page.goto(`${open.url}/dashboard/`, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    page.off('response', measure);
    await Promise.all(loading);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter(({ url }) => /graphiql|monaco|worker/i.test(url))).toEqual([]);
    const initialBytes = scripts.reduce((sum, { gzipBytes }) => sum + gzipBytes, 0);
    expect(initialBytes).toBeLessThan(INITIAL_JS_BUDGET_BYTES);

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Query' }).click();
    await page.waitForURL(`${open.url}/graphiql`);
    await page.locator('.graphiql-tab', { hasText: 'Recent' }).waitFor();
    // Its header leads back to the dashboard.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Stream' }).click();
    await page.waitForURL(`${open.url}/dashboard/`);
    await watch.context.close();
    expect(watch.remote).toEqual([]);
    expect(watch.violations).toEqual([]);
  });

  it('with AUTH_TOKEN: sends the browser to sign in, then queries and subscribes with its cookie', async () => {
    const watch = await offlineContext(guarded);
    const { page } = watch;
    await page.goto(`${guarded.url}/graphiql`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/graphiql');
    await page.getByLabel('Access token').fill(AUTH_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${guarded.url}/graphiql`);
    // The socket is let in by the session cookie alone (the page sends no token).
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    await editorReady(page);

    await postEvent(guarded.url, README_CREATE);
    await run(page, 'Then');
    await answerShows(page, '"image name"');

    await watch.context.close();
    expect(watch.remote).toEqual([]);
    expect(watch.violations).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });
});
