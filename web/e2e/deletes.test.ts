import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchBrowser, postEvent, startServerProcess, type ServerProcess } from './helpers.js';

// Deletes in two real dashboards on one server: what one deletes leaves the other's stream, counts and
// views without a reload. Each action goes through its confirmation dialog, which must say how many.

let browser: Browser;
let server: ServerProcess;
let dataDir: string;
let one: Page;
let other: Page;
const pageErrors: string[] = [];

const iso = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString();
const row = (id: string): string => `[data-testid="stream-row"][data-event-id="${id}"]`;
const rows = (page: Page) => page.locator('[data-testid="stream-row"]');
const eventCount = (page: Page): Promise<string | null> =>
  page.locator('[data-testid="stats"] [title="Events retained"]').textContent();

async function post(entityType: string, entityId: string, name: string): Promise<string> {
  return postEvent(server.url, {
    action: 'create',
    entity_type: entityType,
    time: iso(),
    payload: { id: entityId, name },
  });
}

async function openDashboard(path = '/dashboard/'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // A native confirm() would be dismissed here and fail the flow: the app must not use one.
  page.on('dialog', (dialog) => void dialog.dismiss());
  await page.goto(`${server.url}${path}`);
  await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
  return page;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-deletes-'));
  server = await startServerProcess({ port: await freePort(), dataDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('deletes across two dashboards', () => {
  it('deletes one event from its detail: the other dashboard drops the row and its count', async () => {
    const ids = [
      await post('photo', 'ph-1', 'first'),
      await post('photo', 'ph-2', 'second'),
      await post('note', 'nt-1', 'third'),
    ];
    one = await openDashboard();
    other = await openDashboard();
    for (const page of [one, other]) {
      for (const id of ids) await page.waitForSelector(row(id));
      await expect.poll(() => eventCount(page)).toBe('3 events');
    }

    await one.goto(`${server.url}/dashboard/events/${ids[0]}`);
    await one.getByRole('button', { name: 'Delete event…' }).click();
    const dialog = one.getByRole('dialog', { name: 'Delete this event' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('delete-count').textContent()).toContain('1 event');
    // Cancel first: nothing goes.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await one.getByRole('button', { name: 'Delete event…' }).click();
    await dialog.getByRole('button', { name: 'Delete 1 event' }).click();
    // Back on the stream, without the event.
    await one.waitForURL(/\/dashboard\/$/);
    await one.waitForSelector(row(ids[1] as string));
    expect(await one.locator(row(ids[0] as string)).count()).toBe(0);

    await other.waitForSelector(row(ids[0] as string), { state: 'detached' });
    await expect.poll(() => eventCount(other)).toBe('2 events');
    expect(await rows(other).count()).toBe(2);
  });

  it('deletes every event matching the filters: the count in the dialog is the server’s, the other stream follows', async () => {
    // More than the first page of a filtered stream could show: the dialog counts all of them.
    for (let i = 0; i < 5; i++) await post('bulk', `bulk-${i}`, `bulk ${i}`);
    const kept = await post('note', 'nt-2', 'kept');
    await other.waitForSelector(row(kept));
    // New events reach the header counts at its next poll (not live); deletes do at once (below).
    await expect.poll(() => eventCount(other), { timeout: 10_000 }).toBe('8 events');

    await one.goto(`${server.url}/dashboard/?type=bulk`);
    await expect.poll(() => rows(one).count()).toBe(5);
    await one.getByRole('button', { name: 'Delete matching…' }).click();
    const dialog = one.getByRole('dialog', { name: 'Delete matching events' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('delete-count').textContent()).toMatch(/^5 events match these filters/);
    await dialog.getByRole('button', { name: 'Delete 5 events' }).click();
    await one.getByTestId('delete-outcome').waitFor();
    expect(await one.getByTestId('delete-outcome').textContent()).toBe('Deleted 5 events.');
    await expect.poll(() => rows(one).count()).toBe(0);

    await expect.poll(() => eventCount(other)).toBe('3 events');
    await expect.poll(() => rows(other).count()).toBe(3);
    expect(await other.locator(row(kept)).count()).toBe(1);
  });

  it('clears all from the stream bar: the other dashboard’s entity view says the entity is gone', async () => {
    await other.goto(`${server.url}/dashboard/entities/nt-1`);
    await other.getByText('version 1', { exact: false }).first().waitFor();

    await one.goto(`${server.url}/dashboard/`);
    await expect.poll(() => rows(one).count()).toBe(3);
    await one.getByRole('button', { name: 'Clear all…' }).click();
    const dialog = one.getByRole('dialog', { name: 'Clear all events' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('delete-count').textContent()).toMatch(/^All 3 events retained/);
    await dialog.getByRole('button', { name: 'Delete 3 events' }).click();
    await expect.poll(() => rows(one).count()).toBe(0);
    await expect.poll(() => eventCount(one)).toBe('0 events');

    await other.getByRole('heading', { name: 'Entity not found' }).waitFor();
    await expect.poll(() => eventCount(other)).toBe('0 events');
    expect(pageErrors).toEqual([]);
  });

  it('says "1,000+" when a search matches more than the server counts, and deletes every match', async () => {
    // 1,003 bodies with the term (the dashboard counts up to 1,000), posted 50 at a time, and one without.
    const total = 1_003;
    for (let i = 0; i < total; i += 50) {
      const batch = Array.from({ length: Math.min(50, total - i) }, (_, k) =>
        post('haystack', `hs-${i + k}`, `needle-bulk ${i + k}`),
      );
      await Promise.all(batch);
    }
    const kept = await post('haystack', 'hs-kept', 'no term here');
    await one.goto(`${server.url}/dashboard/?q=needle-bulk`);
    await expect.poll(() => rows(one).count()).toBeGreaterThan(0);
    await one.getByRole('button', { name: 'Delete matching…' }).click();
    const dialog = one.getByRole('dialog', { name: 'Delete matching events' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('delete-count').textContent()).toMatch(
      /^1,000\+ events match these filters, including any not loaded on screen\. \(The server stops counting there; every match is deleted\.\)/,
    );
    await dialog.getByRole('button', { name: 'Delete 1,000+ events' }).click();
    await one.getByTestId('delete-outcome').waitFor();
    expect(await one.getByTestId('delete-outcome').textContent()).toBe('Deleted 1,003 events.');
    await one.goto(`${server.url}/dashboard/`);
    await one.waitForSelector(row(kept));
    await expect.poll(() => rows(one).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
