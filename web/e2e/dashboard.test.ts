import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
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

let browser: Browser;
let server: ServerProcess;
let page: Page;
let port: number;
let dataDir: string;
const dialogs: string[] = [];
const pageErrors: string[] = [];

const iso = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString();
const row = (id: string): string => `[data-testid="stream-row"][data-event-id="${id}"]`;
const status = (page: Page): Promise<string | null> =>
  page.locator('[data-testid="connection-status"]').textContent();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-'));
  port = await freePort();
  server = await startServerProcess({ port, dataDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard in a real browser', () => {
  it('shows an event POSTed over HTTP in the open stream without a reload', async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    await page.getByRole('button', { name: /Generate 20 mock events/ }).click();
    await expect.poll(() => page.locator('[data-testid="stream-row"]').count()).toBeGreaterThanOrEqual(20);

    const id = await postEvent(server.url, {
      action: 'create',
      entity_type: 'component',
      time: iso(),
      payload: { id: 'e2e-live-1', name: 'posted by the e2e test', file_type: 'png' },
    });
    await page.waitForSelector(row(id));
    // Newest first: the posted event is the top row.
    expect(await page.locator('[data-testid="stream-row"]').first().getAttribute('data-event-id')).toBe(id);
    await screenshot(page, 'stream', { docs: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'stream-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('runs under a strict Content-Security-Policy (own scripts only, no inline code)', async () => {
    // A document fulfilled by the test counts as "public" to Chromium's local-network checks, which would then
    // block its WebSocket to 127.0.0.1; that check is not what this test is about.
    const strictBrowser = await launchBrowser(['--disable-features=LocalNetworkAccessChecks']);
    const strict = await strictBrowser.newPage({ viewport: { width: 1280, height: 800 } });
    const violations: string[] = [];
    /** The policy the server itself sent, before the test swapped in its stricter one. */
    const served: string[] = [];
    strict.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    // Stricter than the server's own policy (no inline styles at all), so the page is known to fit both.
    const policy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    await strict.route('**/dashboard/**', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      served.push(response.headers()['content-security-policy'] ?? '');
      await route.fulfill({
        response,
        headers: { ...response.headers(), 'content-security-policy': policy },
      });
    });
    await strict.goto(`${server.url}/dashboard/`);
    await strict.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    await strict.waitForSelector('[data-testid="stream-row"]');
    await strictBrowser.close();
    expect(violations).toEqual([]);
    expect(served[0]).toContain("script-src 'self'");
  });

  it('filters by entity type, in the URL, live included', async () => {
    const taskId = await postEvent(server.url, {
      action: 'create',
      entity_type: 'e2e_task',
      time: iso(),
      payload: { id: 'e2e-task-1', name: 'a task' },
    });
    await page.waitForSelector(row(taskId));
    await page.getByLabel('Entity type').fill('e2e_note');
    await page.waitForURL(/\?type=e2e_note$/);
    await page.waitForSelector(row(taskId), { state: 'detached' });
    const noteId = await postEvent(server.url, {
      action: 'create',
      entity_type: 'e2e_note',
      time: iso(),
      payload: { id: 'e2e-note-1', text: 'a note' },
    });
    await postEvent(server.url, {
      action: 'update',
      entity_type: 'e2e_task',
      id: 'e2e-task-1',
      time: iso(),
      modified_fields: ['name'],
      payload: { name: 'renamed task' },
    });
    await page.waitForSelector(row(noteId));
    await expect
      .poll(() => page.locator('[data-testid="stream-row"] [data-testid="entity-type"]').allTextContents())
      .toEqual(['e2e_note']);
    await screenshot(page, 'stream-filtered');
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await page.waitForSelector(row(taskId));
  });

  it('opens an entity with its folded state and timeline, and travels back in time', async () => {
    const entityId = 'e2e-entity-42';
    const created: WebhookBody = {
      action: 'create',
      entity_type: 'task',
      time: '2024-05-01T10:00:00Z',
      payload: { id: entityId, name: 'first name', status: 'todo' },
    };
    await postEvent(server.url, created);
    await postEvent(server.url, {
      action: 'update',
      entity_type: 'task',
      id: entityId,
      time: '2024-05-01T11:00:00Z',
      modified_fields: ['name', 'assignee_id'],
      payload: { name: 'second name', assignee_id: 'user-7' },
    });
    await page.goto(`${server.url}/dashboard/`);
    await page.locator(`a[href="/dashboard/entities/${entityId}"]`).first().click();
    await page.waitForURL(`**/dashboard/entities/${entityId}`);
    const state = page.getByTestId('entity-state');
    await state.getByText('"second name"').waitFor();
    await state.getByText('"user-7"').waitFor();
    await expect.poll(() => page.getByTestId('timeline-item').count()).toBe(2);
    // The update's diff: name changed, assignee_id added.
    const update = page.getByTestId('timeline-item').nth(1);
    await update.locator('tr[data-change="changed"]', { hasText: 'name' }).waitFor();
    await update.locator('tr[data-change="added"]', { hasText: 'assignee_id' }).waitFor();
    await screenshot(page, 'entity', { docs: true });

    // The state tree answers the keys of the ARIA tree pattern in a real browser.
    const root = state.getByRole('treeitem').first();
    await root.focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-level'))).toBe('2');
    await page.keyboard.press('Home');
    expect(await root.evaluate((item) => item === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await root.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowRight');
    expect(await root.getAttribute('aria-expanded')).toBe('true');

    await page
      .getByTestId('timeline-item')
      .first()
      .getByRole('button', { name: 'State at this point' })
      .click();
    await page.getByTestId('time-travel-note').waitFor();
    await state.getByText('"first name"').waitFor();
    expect(await state.getByText('"second name"').count()).toBe(0);
    expect(await state.getByText('"user-7"').count()).toBe(0);
    await screenshot(page, 'entity-time-travel');

    // A new event for the entity shows up live.
    await postEvent(server.url, {
      action: 'delete',
      entity_type: 'task',
      id: entityId,
      time: '2024-05-01T12:00:00Z',
      payload: {},
    });
    await expect.poll(() => page.getByTestId('timeline-item').count()).toBe(3);
    await page.getByTestId('deleted-badge').waitFor();
  });

  it('keeps the filters across a detail view: Enter, Esc, back, forward and deep links', async () => {
    const id = await postEvent(server.url, {
      action: 'create',
      entity_type: 'e2e_nav',
      time: iso(),
      payload: { id: 'nav-1', name: 'navigation' },
    });
    const here = (): string => {
      const url = new URL(page.url());
      return url.pathname + url.search;
    };
    await page.goto(`${server.url}/dashboard/?type=e2e_nav`);
    await page.waitForSelector(row(id));
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/dashboard/events/${id}`);
    await page.getByTestId('raw-body').waitFor();
    // Esc returns to the entry the reader came from: the filtered stream, its selection named in the URL.
    await page.keyboard.press('Escape');
    await page.waitForSelector(row(id));
    expect(here()).toBe(`/dashboard/?type=e2e_nav&sel=${id}`);
    expect(await page.getByLabel('Entity type').inputValue()).toBe('e2e_nav');
    await page.goForward();
    await page.getByTestId('raw-body').waitFor();
    expect(here()).toBe(`/dashboard/events/${id}`);
    await page.goBack();
    await page.waitForSelector(row(id));
    expect(here()).toBe(`/dashboard/?type=e2e_nav&sel=${id}`);
    // Esc clears the selection in place (the entry is rewritten, not added).
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.search === '?type=e2e_nav');
    // The header's "Stream" link drops the filters; where the page already is, it adds no entry.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Stream' }).click();
    await page.waitForURL((url) => url.search === '');
    await page.goBack();
    await page.waitForURL((url) => url.search === '?type=e2e_nav');
    // A deep link has no app entry before it: Esc (and "← Back") go to the stream.
    await page.goto(`${server.url}/dashboard/events/${encodeURIComponent(id)}`);
    await page.getByTestId('raw-body').waitFor();
    await page.getByRole('button', { name: '← Back' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard/' && url.search === '');
    await page.goto(`${server.url}/dashboard/nope/1/2`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
  });

  it('renders an XSS payload as literal text and opens no dialog', async () => {
    const hostile = '<script>alert("xss")</script></script><img src=x onerror=alert(1)>';
    const id = await postEvent(server.url, {
      action: 'create',
      entity_type: 'note',
      time: iso(),
      payload: { id: 'e2e-xss', name: hostile, '<b onmouseover=alert(2)>key</b>': 'javascript:alert(3)' },
    });
    await page.goto(`${server.url}/dashboard/`);
    await page.waitForSelector(row(id));
    // This window is wide: a click selects the row (the split view), Enter opens the event's page.
    await page.locator(row(id)).click();
    await page.getByTestId('detail-pane').getByTestId('raw-body').waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/dashboard/events/${id}`);
    await page.getByTestId('raw-body').waitFor();
    expect(await page.getByTestId('raw-body').textContent()).toContain(hostile.replaceAll('"', '\\"'));
    await page.getByText(JSON.stringify(hostile)).first().waitFor();
    // Nothing from the payload became markup: no image, no bold, no script besides the bundle's own.
    expect(await page.locator('#root img, #root b, #root script').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.getByTestId('curl').textContent()).toContain(`${server.url}/webhooks/event`);
    await screenshot(page, 'event-xss');
    expect(dialogs).toEqual([]);
  });

  it('lists refused deliveries', async () => {
    const response = await fetch(`${server.url}/webhooks/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'rename', entity_type: 'task', time: iso(), payload: { id: 'x' } }),
    });
    expect(response.status).toBe(422);
    await page.goto(`${server.url}/dashboard/rejections`);
    await page.getByTestId('rejection').first().getByText('action', { exact: true }).waitFor();
    await screenshot(page, 'rejections');
  });

  it('keeps up with 100 events per second and renders only the visible rows', async () => {
    await page.goto(`${server.url}/dashboard/?type=e2e_burst`);
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    await page.waitForSelector('[data-testid="row-count"]:has-text("0 shown")');
    const total = 300;
    const startedMs = Date.now();
    const posts: Array<Promise<string>> = [];
    for (let n = 0; n < total; n++) {
      // Paced at 100 per second, as a busy sender would.
      const dueMs = startedMs + n * 10;
      if (dueMs > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueMs - Date.now()));
      posts.push(
        postEvent(server.url, {
          action: 'create',
          entity_type: 'e2e_burst',
          time: iso(),
          payload: { id: `burst-${n}`, n },
        }),
      );
    }
    await Promise.all(posts);
    await page.waitForSelector(`[data-testid="row-count"]:has-text("${total} shown")`, { timeout: 10_000 });
    // Virtualized: a few dozen row elements for hundreds of events.
    expect(await page.locator('[data-testid="stream-row"]').count()).toBeLessThan(60);
    // Still responsive: the keyboard moves the selection at once.
    await page.keyboard.press('j');
    await page.waitForSelector('[data-testid="stream-row"][data-selected="true"]');
  });

  it('shows "reconnecting" when the server dies, then resumes after the last event it had: the missed ones arrive', async () => {
    // Every WebSocket goes through this route, so the test can hold reconnections and prove that the events
    // below are posted while the page is disconnected. It is installed before the page loads because
    // graphql-ws keeps the WebSocket constructor it found when the client was created.
    const live = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    live.on('pageerror', (error) => pageErrors.push(error.message));
    let holding = false;
    const held: WebSocketRoute[] = [];
    // The stream's subscribe messages, as the page sent them (each socket's are passed on unchanged).
    const streamSubscribes: { after?: string | null }[] = [];
    await live.routeWebSocket(/\/graphql$/, (ws) => {
      if (holding) {
        held.push(ws);
        return;
      }
      const upstream = ws.connectToServer();
      ws.onMessage((message) => {
        const parsed = JSON.parse(String(message)) as {
          type?: string;
          payload?: { query?: string; variables?: { after?: string | null } };
        };
        if (parsed.type === 'subscribe' && parsed.payload?.query?.includes('StreamEventAdded'))
          streamSubscribes.push(parsed.payload.variables ?? {});
        upstream.send(message);
      });
    });
    page = live;
    await page.goto(`${server.url}/dashboard/`);
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    // One event received live before the drop: the page resumes after its sequence.
    const seen = await postEvent(server.url, {
      action: 'create',
      entity_type: 'component',
      time: iso(),
      payload: { id: 'e2e-seen-before-drop', name: 'the last one the page had' },
    });
    await page.waitForSelector(row(seen));
    const seenSequence = (
      (await (await fetch(`${server.url}/events/${seen}`)).json()) as { sequence: string }
    ).sequence;
    expect(streamSubscribes.map((variables) => variables.after ?? null)).toEqual([null]);
    holding = true;

    await server.stop('SIGKILL');
    await expect.poll(() => status(page)).toBe('reconnecting');
    await screenshot(page, 'reconnecting');
    server = await startServerProcess({ port, dataDir });
    const missed = [
      await postEvent(server.url, {
        action: 'create',
        entity_type: 'component',
        time: iso(),
        payload: { id: 'e2e-missed-1', name: 'posted while the page was disconnected' },
      }),
      await postEvent(server.url, {
        action: 'create',
        entity_type: 'component',
        time: iso(),
        payload: { id: 'e2e-missed-2', name: 'also missed' },
      }),
    ];
    expect(await status(page)).toBe('reconnecting');
    expect(await page.locator(row(missed[0] ?? '')).count()).toBe(0);

    // The page did try to reconnect, and was held.
    await expect.poll(() => held.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await status(page)).toBe('reconnecting');
    holding = false;
    // Closing the held sockets makes the client retry, now through to the restarted server.
    await Promise.all(held.map((ws) => ws.close({ code: 1001, reason: 'released by the test' })));
    await expect.poll(() => status(page), { timeout: 30_000 }).toBe('live');
    for (const id of missed) await page.waitForSelector(row(id));
    // graphql-ws re-sent the stream's subscription with the cursor of the last event the page had.
    expect(streamSubscribes.at(-1)?.after).toBe(seenSequence);
    // And live delivery works again.
    const after = await postEvent(server.url, {
      action: 'create',
      entity_type: 'component',
      time: iso(),
      payload: { id: 'e2e-after-restart', name: 'live again' },
    });
    await page.waitForSelector(row(after));
    expect(pageErrors).toEqual([]);
  });
});
