import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchBrowser, postEvent, startServerProcess, type ServerProcess } from './helpers.js';

let browser: Browser;
let server: ServerProcess;
let page: Page;
let dataDir: string;
const problems: string[] = [];

// Well under the header's fallback poll (30 s): a count that arrives within it came over the subscription.
const LIVE_WITHIN_MS = 10_000;

const stats = '[data-testid="stats"]';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-counts-'));
  server = await startServerProcess({ port: await freePort(), dataDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => problems.push(error.message));
  // Apollo reports a cache write it cannot store (a field missing) as a console warning or error.
  // (The browser's own line for a missing /favicon.ico is not the page's problem.)
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('Failed to load resource')) return;
    if (message.type() === 'error' || message.type() === 'warning') problems.push(text);
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('header counts in a real browser', () => {
  it('follow posted events and refusals without a reload', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid="connection-status"]:has-text("live")');
    await page.waitForSelector(`${stats}:has-text("0 events")`);
    await page.waitForSelector(`${stats}:has-text("0 entities")`);

    const time = new Date().toISOString();
    for (const id of ['hc-1', 'hc-2', 'hc-3']) {
      await postEvent(server.url, { action: 'create', entity_type: 'e2e_count', time, payload: { id } });
    }
    await postEvent(server.url, {
      action: 'update',
      entity_type: 'e2e_count',
      time,
      modified_fields: ['name'],
      payload: { id: 'hc-1', name: 'renamed' },
    });
    await page.waitForSelector(`${stats}:has-text("4 events")`, { timeout: LIVE_WITHIN_MS });
    await page.waitForSelector(`${stats}:has-text("3 entities")`, { timeout: LIVE_WITHIN_MS });

    const refused = await fetch(`${server.url}/webhooks/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'not json',
    });
    expect(refused.status).toBe(400);
    await page.waitForSelector('nav >> text="Refused (1)"', { timeout: LIVE_WITHIN_MS });

    expect(problems).toEqual([]);
  });
});
