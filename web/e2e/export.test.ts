import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchBrowser, postEvent, startServerProcess, type ServerProcess } from './helpers.js';

let browser: Browser;
let server: ServerProcess;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-export-'));
  server = await startServerProcess({ port: await freePort(), dataDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

/** Clicks a download link and returns the downloaded file's name and parsed NDJSON lines. */
async function download(
  click: () => Promise<void>,
): Promise<{ name: string; events: { id: string; raw: string }[] }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  const events = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: string; raw: string });
  return { name: file.suggestedFilename(), events };
}

const task = (id: string, name: string) => ({
  action: 'create' as const,
  entity_type: 'task',
  time: new Date().toISOString(),
  payload: { id, name },
});

describe('export from the dashboard', () => {
  it("downloads the filtered stream, oldest first, and one entity's events from its view", async () => {
    const firstBody = task('e2e-export-1', 'first');
    const first = await postEvent(server.url, firstBody);
    await postEvent(server.url, {
      action: 'create',
      entity_type: 'component',
      time: new Date().toISOString(),
      payload: { id: 'e2e-export-c', name: 'not a task', file_type: 'png' },
    });
    const second = await postEvent(server.url, task('e2e-export-2', 'second'));

    await page.goto(`${server.url}/dashboard/?type=task`);
    await page.waitForSelector(`[data-testid="stream-row"][data-event-id="${second}"]`);
    const stream = await download(() => page.getByRole('link', { name: 'Export', exact: true }).click());
    expect(stream.name).toMatch(/^hookscope-events-.*\.ndjson$/);
    expect(stream.events.map((e) => e.id)).toEqual([first, second]);
    // The exact body as posted.
    expect(stream.events[0]?.raw).toBe(JSON.stringify(firstBody));

    await page.goto(`${server.url}/dashboard/entities/e2e-export-2`);
    const entity = await download(() => page.getByRole('link', { name: 'export its events' }).click());
    expect(entity.events.map((e) => e.id)).toEqual([second]);
  });
});
