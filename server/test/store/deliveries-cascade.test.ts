import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { DATABASE_FILE_NAME } from '../../src/store/sqlite/open.js';

// Deliveries follow their event through any DELETE of it, not only the purge and the cap the contract
// suite covers: a delete path added later (delete one, delete matching, clear all) needs no code of ours.

let dataDir: string;
let store: SqliteStore | null = null;
afterEach(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('removes the attempts of events deleted by a plain DELETE on the store connection', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-cascade-'));
  store = createSqliteStore({ dataDir, maxRejections: 10 });
  const event = (id: string) => ({
    id,
    receivedAtMs: 1_000,
    timeMs: 1_000,
    action: 'create' as const,
    entityType: 'task',
    entityId: id,
    modifiedFields: null,
    deliveryId: null,
    headers: null,
    raw: Buffer.from('{}'),
  });
  await Promise.all([store.insertEvent(event('gone')), store.insertEvent(event('kept'))]);
  const attempt = (eventId: string, id: string) => ({
    id,
    eventId,
    source: 'replay' as const,
    target: 'http://127.0.0.1/',
    attemptedAtMs: 2_000,
    status: 200,
    durationMs: 1,
    responseBody: 'ok',
    responseTruncated: false,
    error: null,
  });
  await store.insertDelivery(attempt('gone', 'D1'), 0);
  await store.insertDelivery(attempt('kept', 'D2'), 0);
  // A second connection, configured as the store configures its own (foreign keys are per connection).
  const db = new Database(join(dataDir, DATABASE_FILE_NAME));
  try {
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM events WHERE id = ?').run('gone');
    expect(db.prepare('SELECT id FROM deliveries').all()).toEqual([{ id: 'D2' }]);
  } finally {
    db.close();
  }
  expect(await store.listDeliveries('gone', 0)).toEqual([]);
  expect((await store.listDeliveries('kept', 0)).map((d) => d.id)).toEqual(['D2']);
});
