import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

// The deliveries panel and replay as a person uses them: replay an entity's stream from its page to a real
// local handler, then read each event's answers in its detail, live.

let browser: Browser;
let server: ServerProcess;
let page: Page;
let dataDir: string;
let handler: Server;
let handlerUrl: string;
/** The payload ids the handler received, in order. */
const received: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  handler = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { time: string };
      received.push(body.time);
      // The second event in fold order is the one the developer's handler cannot take yet.
      if (body.time.startsWith('2026-03-01T01')) response.writeHead(500).end('handler: no such task');
      else response.writeHead(200, { 'content-type': 'text/plain' }).end(`handled ${body.time}`);
    });
  });
  await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
  handlerUrl = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/webhook`;
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-e2e-deliveries-'));
  server = await startServerProcess({ port: await freePort(), dataDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((resolve) => (handler ? handler.close(() => resolve()) : resolve()));
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('deliveries in a real browser', () => {
  it("replays an entity's stream from its page and shows each handler answer in the event's detail, live", async () => {
    const entityId = 'e2e-replay-task';
    // Arrival order differs from fold order (by `time`): the replay follows the fold.
    const created = await postEvent(server.url, {
      action: 'create',
      entity_type: 'task',
      time: '2026-03-01T00:00:00Z',
      payload: { id: entityId, name: 'write tests' },
    });
    const later = await postEvent(server.url, {
      action: 'update',
      entity_type: 'task',
      time: '2026-03-01T02:00:00Z',
      id: entityId,
      modified_fields: ['name'],
      payload: { name: 'write more tests' },
    });
    const earlier = await postEvent(server.url, {
      action: 'update',
      entity_type: 'task',
      time: '2026-03-01T01:00:00Z',
      id: entityId,
      modified_fields: ['name'],
      payload: { name: 'write good tests' },
    });

    await page.goto(`${server.url}/dashboard/entities/${entityId}`);
    const form = page.getByRole('form', { name: "Replay this entity's stream" });
    await form.getByLabel('Target URL').fill(handlerUrl);
    await form.getByRole('button', { name: "Replay this entity's stream" }).click();
    await expect
      .poll(() => form.getByRole('status').textContent())
      .toBe(`3 of 3 sent to ${handlerUrl}: 2 answered 2xx, 1 failed.`);
    expect(received).toEqual(['2026-03-01T00:00:00Z', '2026-03-01T01:00:00Z', '2026-03-01T02:00:00Z']);

    // The failing event's detail: the handler's 500 and its words.
    await page.goto(`${server.url}/dashboard/events/${earlier}`);
    const panel = page.getByRole('region', { name: 'Deliveries' });
    const attempts = panel.getByTestId('delivery');
    await expect.poll(() => attempts.count()).toBe(1);
    await expect.poll(() => attempts.first().getByTestId('delivery-status').textContent()).toBe('500');
    expect(await attempts.first().getByTestId('delivery-body').textContent()).toBe('handler: no such task');
    expect(await attempts.first().textContent()).toContain(handlerUrl);
    // The target typed on the entity page is remembered here.
    expect(await panel.getByLabel('Target URL').inputValue()).toBe(handlerUrl);

    // An attempt recorded elsewhere (here the forward CLI's report) appears without a reload.
    const report = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation ($input: DeliveryInput!) { recordDelivery(input: $input) { id } }',
        variables: {
          input: {
            eventId: earlier,
            target: 'http://localhost:3000/hook',
            status: null,
            durationMs: 4,
            error: 'connect ECONNREFUSED 127.0.0.1:3000',
          },
        },
      }),
    });
    expect(report.status).toBe(200);
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.nth(1).getByTestId('delivery-status').textContent()).toBe('no answer');
    expect(await attempts.nth(1).getByTestId('delivery-error').textContent()).toBe(
      'connect ECONNREFUSED 127.0.0.1:3000',
    );

    // Replay this one event again from its own page: a third attempt, live.
    await panel.getByRole('button', { name: 'Replay this event' }).click();
    await expect.poll(() => attempts.count()).toBe(3);
    expect(await attempts.nth(2).getByTestId('delivery-status').textContent()).toBe('500');
    await screenshot(page, 'deliveries-panel');

    // The other events show their 200s.
    for (const id of [created, later]) {
      await page.goto(`${server.url}/dashboard/events/${id}`);
      await expect.poll(() => page.getByTestId('delivery-status').first().textContent()).toBe('200');
      expect(await page.getByTestId('delivery-body').first().textContent()).toMatch(
        /^handled 2026-03-01T0[02]/,
      );
    }
    expect(pageErrors).toEqual([]);
  });

  it('says why a target outside the allowed ones is refused, and sends nothing', async () => {
    const before = received.length;
    const id = await postEvent(server.url, {
      action: 'create',
      entity_type: 'task',
      time: '2026-03-02T00:00:00Z',
      payload: { id: 'e2e-refused' },
    });
    await page.goto(`${server.url}/dashboard/events/${id}`);
    const panel = page.getByRole('region', { name: 'Deliveries' });
    await panel.getByLabel('Target URL').fill('http://169.254.169.254/latest/meta-data/');
    await panel.getByRole('button', { name: 'Replay this event' }).click();
    await expect
      .poll(() => panel.getByRole('status').textContent())
      .toContain('is not inside FORWARD_ALLOWED_TARGETS');
    expect(received.length).toBe(before);
    expect(await panel.getByTestId('delivery').count()).toBe(0);
  });
});
