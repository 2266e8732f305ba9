import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { ExportedEvent } from '../src/http/routes/export.js';
import {
  EXAMPLE_CREATE,
  EXAMPLE_UPDATE,
  postCreated,
  startTestServer,
  type TestServer,
} from './helpers/server.js';

const folder = mkdtempSync(join(tmpdir(), 'hookscope-fixture-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `npm run mock` as its own process. */
function runMock(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/mock.ts', ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Imports `file` into `server` at a rate that does not slow the test, with `extra` flags. */
const importInto = (file: string, server: TestServer, ...extra: string[]) =>
  runMock(['--from', file, '--url', `${server.url}/webhooks/event`, '--rate', '1000', ...extra]);

/** A server's whole export in the given format, as text. */
async function exportText(server: TestServer, format: 'ndjson' | 'json' = 'ndjson'): Promise<string> {
  const response = await fetch(`${server.url}/events/export?format=${format}`);
  expect(response.status).toBe(200);
  return response.text();
}

const parse = (ndjson: string): ExportedEvent[] =>
  ndjson
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportedEvent);

/** Every body, in order, as the bytes they are. */
const bodies = (events: ExportedEvent[]): Buffer =>
  Buffer.concat(
    events.flatMap((e) => [
      e.raw !== undefined ? Buffer.from(e.raw, 'utf8') : Buffer.from(e.rawBase64 ?? '', 'base64'),
      Buffer.from([0]),
    ]),
  );

/** Two fresh servers for one test, disposed after it. */
// eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
const it = test.extend('servers', async ({}, { onCleanup }) => {
  const servers = [await startTestServer(), await startTestServer()];
  onCleanup(async () => {
    for (const server of servers) await server.dispose();
  });
  return servers as [TestServer, TestServer];
});

describe('npm run mock -- --from (importing an export)', () => {
  it('re-sends an export into a second hookscope: its export has the same bodies in the same order, byte for byte', async ({
    servers: [first, second],
  }) => {
    const bom = `\uFEFF{"action":"create","entity_type":"task","time":"2021-12-20T10:59:55Z","payload":{"id":"t-1","name":"café"}}`;
    const spaced = `{ "action" : "update", "entity_type":"task", "id":"t-1", "time":"2021-12-20T11:00:00Z",\n "modified_fields":["name"], "payload":{"name":"日本語 \\ud83d"} }`;
    await postCreated(first.url, bom, { 'x-trace': 'a', 'webhook-id': 'msg_fixture_1' });
    await postCreated(first.url, spaced, {
      'x-trace': 'b',
      'webhook-id': 'msg_fixture_2',
      'webhook-timestamp': '1700000000',
      'webhook-signature': 'v1,c2lnbmF0dXJl',
    });
    for (let i = 0; i < 20; i++) {
      await postCreated(first.url, { ...EXAMPLE_UPDATE, payload: { ...EXAMPLE_UPDATE.payload, n: i } });
    }
    await postCreated(first.url, EXAMPLE_CREATE);
    const original = await exportText(first);
    const file = join(folder, 'first.ndjson');
    writeFileSync(file, original);

    const result = await importInto(file, second, '--original-headers');
    expect(result.stderr).toContain('re-sending 23 events');
    expect(result.stdout).toMatch(/^sent 23 in [\d.]+ s: 201×23\n$/);
    expect(result.code).toBe(0);

    const before = parse(original);
    const after = parse(await exportText(second));
    expect(bodies(after).equals(bodies(before))).toBe(true);
    expect(after.map((e) => e.entityId)).toEqual(before.map((e) => e.entityId));
    // New ids and arrival times: the second hookscope stored them now.
    expect(after.every((e, i) => e.id !== before[i]?.id)).toBe(true);
    // The original headers went along, but not the signature that only the first one's sender made.
    expect(after[0]?.headers?.['x-trace']).toBe('a');
    expect(after[1]?.headers?.['x-trace']).toBe('b');
    expect(after[1]?.headers).not.toHaveProperty('webhook-signature');
    expect(after[1]?.headers).not.toHaveProperty('webhook-timestamp');
    expect(after.map((e) => e.deliveryId)).toEqual(before.map((e) => e.deliveryId));

    // The delivery ids make a second import of the same file a duplicate, not a copy.
    const again = await importInto(file, second, '--original-headers');
    expect(again.stdout).toContain('200×2');
    expect(again.code).toBe(0);
    const twice = parse(await exportText(second));
    expect(twice.length).toBe(23 + 21);
  });

  it('reads the JSON array format too, and sends only the content type without --original-headers', async ({
    servers: [first, second],
  }) => {
    await postCreated(first.url, EXAMPLE_CREATE, { 'webhook-id': 'msg_array_1', 'x-trace': 'c' });
    await postCreated(first.url, EXAMPLE_UPDATE);
    const file = join(folder, 'first.json');
    writeFileSync(file, await exportText(first, 'json'));
    const result = await importInto(file, second);
    expect(result.code).toBe(0);
    const after = parse(await exportText(second));
    expect(after.map((e) => e.raw)).toEqual([JSON.stringify(EXAMPLE_CREATE), JSON.stringify(EXAMPLE_UPDATE)]);
    expect(after[0]?.deliveryId).toBeNull();
    expect(after[0]?.headers).not.toHaveProperty('x-trace');
  });

  it('exits 1 naming each refused event, and 2 without sending anything for a broken file', async ({
    servers: [, second],
  }) => {
    const good = JSON.stringify({ id: 'E1', raw: JSON.stringify(EXAMPLE_CREATE), headers: null });
    const refused = JSON.stringify({ id: 'E2', raw: '{"action":"create"}', headers: null });
    const mixed = join(folder, 'mixed.ndjson');
    writeFileSync(mixed, `${good}\n${refused}\n`);
    const result = await importInto(mixed, second);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('201×1');
    expect(result.stdout).toContain('422×1');
    expect(result.stdout).toContain('#2 (event E2): 422');

    const broken = join(folder, 'broken.ndjson');
    writeFileSync(broken, `${good}\n{"id":"E3"}\nnot json\n`);
    const refusedFile = await runMock(['--from', broken, '--url', `${second.url}/webhooks/event`]);
    expect(refusedFile.code).toBe(2);
    expect(refusedFile.stderr).toContain('line 2');
    expect(refusedFile.stderr).toContain('"raw" and "rawBase64"');
    expect(parse(await exportText(second))).toHaveLength(1);

    const bad = await runMock(['--from', mixed, '--count', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--count and --seed are for generated events');
  });
});
