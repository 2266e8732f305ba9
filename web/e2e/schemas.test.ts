import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  launchBrowser,
  postEvent,
  screenshot,
  startServerProcess,
  type ServerProcess,
} from './helpers.js';

let browser: Browser;
let server: ServerProcess;
let page: Page;
let dataDir: string;
const pageErrors: string[] = [];
let statusUpdateId = '';
/** SCHEMA_SETTLED_AFTER_EVENTS (server/src/domain/schema-learning.ts): the web tests import no server code. */
const SETTLED_AFTER_EVENTS = 20;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-schemas-'));
  server = await startServerProcess({ port: await freePort(), dataDir });
  browser = await launchBrowser();
  // A context of our own: the accessibility audit (axe) needs one.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('the Schemas view in a real browser', () => {
  it('lists the learned fields per action with presence and a sparkline, and downloads the JSON Schema', async () => {
    const time = new Date().toISOString();
    for (let i = 0; i < SETTLED_AFTER_EVENTS; i++) {
      await postEvent(server.url, {
        action: 'create',
        entity_type: 'e2e_order',
        time,
        payload: { id: `o${i}`, total: i, customer: { name: 'Ada' }, ...(i % 2 ? { note: 'gift' } : {}) },
      });
    }
    // The 21st event, once the shape has settled: its new field is drift.
    statusUpdateId = await postEvent(server.url, {
      action: 'update',
      entity_type: 'e2e_order',
      time,
      modified_fields: ['status'],
      payload: { id: 'o1', status: 'paid' },
    });

    await page.goto(`${server.url}/dashboard/`);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Schemas' }).click();
    expect(new URL(page.url()).pathname).toBe('/dashboard/schemas');
    await page.getByRole('heading', { level: 1, name: 'Schemas' }).waitFor();
    const section = page.getByRole('region', { name: 'e2e_order' });
    await section.getByText('21 events learned').waitFor();

    const creates = section.getByRole('table', { name: 'Fields of e2e_order create events' });
    const row = (path: string) =>
      creates.getByRole('row').filter({ has: page.getByRole('rowheader', { name: path, exact: true }) });
    await expect
      .poll(() => row('total').getByRole('cell').allTextContents())
      .toEqual(['number (20)', '100%', 'total: seen in 20 events over the last 168 hours', '19']);
    expect((await row('note').getByRole('cell').allTextContents()).slice(0, 2)).toEqual([
      'string (10)',
      '50%',
    ]);
    expect(await row('customer.name').getByRole('cell').nth(3).textContent()).toBe('"Ada"');
    await expect
      .poll(() => row('total').getByRole('img').getAttribute('aria-label'))
      .toMatch(/^total: seen in 20 events over the last 168 hours$/);
    const updates = section.getByRole('table', { name: 'Fields of e2e_order update events' });
    await updates.getByRole('rowheader', { name: 'status' }).waitFor();
    await screenshot(page, 'schemas', { docs: true });
    const audit = await new AxeBuilder({ page }).include('main').analyze();
    expect(
      audit.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Download JSON Schema' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('e2e_order.schema.json');
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8')) as Record<string, unknown>;
    expect(saved.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(saved.$defs).toMatchObject({ create: { required: ['id', 'total', 'customer'] } });
    expect(pageErrors).toEqual([]);
  });

  it('shows drift in the stream and filters the stream to it', async () => {
    const id = await postEvent(server.url, {
      action: 'update',
      entity_type: 'e2e_order',
      time: new Date().toISOString(),
      modified_fields: ['coupon'],
      payload: { id: 'o2', coupon: 'SPRING' },
    });
    await page.goto(`${server.url}/dashboard/`);
    const drifted = page.locator(`[data-testid="stream-row"][data-event-id="${id}"]`);
    await drifted.getByTestId('warning-badge').waitFor();
    expect(await drifted.getByTestId('warning-badge').getAttribute('title')).toContain(
      'Schema drift: new field "coupon"',
    );

    await page.getByLabel('Drift only').check();
    await expect.poll(() => new URL(page.url()).search).toBe('?drift=1');
    await expect
      .poll(() =>
        page
          .locator('[data-testid="stream-row"]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id'))),
      )
      .toEqual([id, statusUpdateId]);

    await drifted.click();
    await page
      .getByRole('list', { name: 'Warnings' })
      .getByText('Schema drift: new field "coupon"', { exact: false })
      .waitFor();
    expect(pageErrors).toEqual([]);
  });
});
