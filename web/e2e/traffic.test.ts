import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  launchBrowser,
  postEvent,
  ROOT_DIR,
  screenshot,
  startServerProcess,
  type ServerProcess,
} from './helpers.js';

// The traffic chart in Chromium against a real server whose data folder holds an hour of past traffic.

const MINUTE_MS = 60_000;
/** Seeded events: four a minute over the hour before the test. */
const SEEDED = 240;

let browser: Browser;
let server: ServerProcess;
let page: Page;
let dataDir: string;
const pageErrors: string[] = [];
/** The chart's window: the hour before now, to the minute (so its buckets are minutes). */
let fromMs: number;
let toMs: number;

/**
 * Writes past arrivals into a fresh data folder with the bench's seeder (a child process: the server
 * stamps each arrival with its own clock, so an hour of past traffic can only be written to the file).
 */
function seedPastHour(dir: string, startMs: number, endMs: number): void {
  const script = `import { seed } from './server/bench/seed.ts';
seed({ dataDir: ${JSON.stringify(dir)}, count: ${SEEDED}, fromMs: ${startMs}, toMs: ${endMs} });`;
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT_DIR,
    stdio: 'inherit',
  });
}

const windowSearch = (): string =>
  `?since=${encodeURIComponent(new Date(fromMs).toISOString())}&until=${encodeURIComponent(new Date(toMs).toISOString())}`;

async function totalCount(since: string, until: string): Promise<number> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query($f: EventFilter) { events(filter: $f, first: 1) { totalCount } }',
      variables: { f: { since, until } },
    }),
  });
  return ((await response.json()) as { data: { events: { totalCount: number } } }).data.events.totalCount;
}

/** The x of an instant over the plot area (the chart's x range is exactly the window). */
async function xOf(atMs: number): Promise<{ x: number; y: number }> {
  const box = await page.locator('[data-testid="traffic-plot"] .u-over').boundingBox();
  if (box === null) throw new Error('the chart has no plot area');
  return { x: box.x + ((atMs - fromMs) / (toMs - fromMs)) * box.width, y: box.y + box.height / 2 };
}

beforeAll(async () => {
  const nowMs = Date.now();
  toMs = Math.ceil((nowMs + MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
  fromMs = toMs - 62 * MINUTE_MS;
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-traffic-'));
  seedPastHour(dataDir, nowMs - 60 * MINUTE_MS, nowMs - MINUTE_MS);
  server = await startServerProcess({ port: await freePort(), dataDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('traffic chart in a real browser', () => {
  it('draws bars for the stored events, follows new ones, and splits by entity type', async () => {
    await page.goto(`${server.url}/dashboard/${windowSearch()}`);
    const caption = page.getByTestId('traffic-caption');
    await expect.poll(() => caption.textContent()).toMatch(new RegExp(`^${SEEDED} events \\(`));
    expect(await caption.textContent()).toMatch(/per minute\.$/);
    // Bars are drawn: the canvas holds pixels of the action colours.
    const coloured = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="traffic-plot"] canvas');
      const context = canvas?.getContext('2d');
      if (!canvas || !context) return 0;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      // create #1a7f37, update #1f5fd1
      for (let i = 0; i < data.length; i += 4)
        if ((data[i] === 0x1a && data[i + 1] === 0x7f) || (data[i] === 0x1f && data[i + 1] === 0x5f)) n++;
      return n;
    });
    expect(coloured).toBeGreaterThan(100);

    // Live: an event and a refusal posted now reach the chart without a reload.
    await postEvent(server.url, {
      action: 'create',
      entity_type: 'invoice',
      time: new Date().toISOString(),
      payload: { id: 'traffic-live-1', total: 12 },
    });
    await fetch(`${server.url}/webhooks/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'not json',
    });
    await expect
      .poll(() => caption.textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`^${SEEDED + 1} events .* and 1 refused`));

    await page.getByRole('button', { name: 'by entity type' }).click();
    await expect.poll(() => caption.textContent()).toMatch(/invoice 1/);
    await screenshot(page, 'traffic', { docs: true });
    await page.getByRole('button', { name: 'by action' }).click();
    await expect.poll(() => caption.textContent()).toMatch(/create \d+/);
  });

  it('sets since/until in the URL from a drag, and the stream shows only the events in that window', async () => {
    const start = await xOf(fromMs + 20 * MINUTE_MS + MINUTE_MS / 2);
    const end = await xOf(fromMs + 27 * MINUTE_MS + MINUTE_MS / 2);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move((start.x + end.x) / 2, start.y, { steps: 5 });
    await page.mouse.move(end.x, end.y, { steps: 5 });
    await page.mouse.up();

    await expect
      .poll(() => new URL(page.url()).searchParams.get('until'))
      .not.toBe(new Date(toMs).toISOString());
    const params = new URL(page.url()).searchParams;
    const since = params.get('since') ?? '';
    const until = params.get('until') ?? '';
    // Snapped to the minute buckets dragged over.
    expect(since).toBe(new Date(fromMs + 20 * MINUTE_MS).toISOString());
    expect(until).toBe(new Date(fromMs + 28 * MINUTE_MS).toISOString());
    // The filter bar shows the window, for keyboard users to adjust.
    expect(await page.locator('input[name="since"]').inputValue()).not.toBe('');

    const expected = await totalCount(since, until);
    expect(expected).toBeGreaterThan(10);
    expect(expected).toBeLessThan(50);
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe(`${expected} shown`);
    // The chart zoomed to the window as well.
    await expect
      .poll(() => page.getByTestId('traffic-caption').textContent())
      .toMatch(new RegExp(`^${expected} events`));
    expect(pageErrors).toEqual([]);
  });
});
