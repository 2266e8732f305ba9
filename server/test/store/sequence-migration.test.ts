import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/shared/paths.js';
import { DATABASE_FILE_NAME } from '../../src/store/sqlite/open.js';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';

// Migration 0010 gives the events already stored their positions: a database written by the version
// before it (migrations 0000-0009), opened by this one.

const BASE_MS = Date.UTC(2030, 0, 1);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database in a fresh folder as migrations 0000-0009 leave it. */
function databaseBeforeSequence(): { dataDir: string; db: Database.Database } {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-sequence-migration-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const oldMigrations = join(dataDir, 'migrations');
  mkdirSync(join(oldMigrations, 'meta'), { recursive: true });
  const source = join(packageRoot, 'server', 'drizzle', 'sqlite');
  for (const file of readdirSync(source).filter((f) => /^000\d_.*\.sql$/.test(f)))
    copyFileSync(join(source, file), join(oldMigrations, file));
  const journal = JSON.parse(readFileSync(join(source, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number }[];
  };
  journal.entries = journal.entries.filter((entry) => entry.idx <= 9);
  writeFileSync(join(oldMigrations, 'meta', '_journal.json'), JSON.stringify(journal));
  const db = new Database(join(dataDir, DATABASE_FILE_NAME));
  db.pragma('journal_mode = WAL');
  migrate(drizzle(db), { migrationsFolder: oldMigrations });
  return { dataDir, db };
}

function openStore(dataDir: string): SqliteStore {
  const store = createSqliteStore({ dataDir, maxRejections: 10 });
  cleanups.push(() => store.close());
  return store;
}

describe('migration 0010 (event sequence)', () => {
  it('numbers the stored events from 1 in (received_at, id) order, and new events continue after them', async () => {
    const { dataDir, db } = databaseBeforeSequence();
    // Written in an order that is neither the arrival order nor the id order: the rowids must not decide.
    const rows = [
      { id: 'E0005', at: BASE_MS + 2_000 },
      { id: 'E0002', at: BASE_MS },
      { id: 'E0009', at: BASE_MS + 1_000 },
      { id: 'E0001', at: BASE_MS + 1_000 },
      { id: 'E0007', at: BASE_MS },
    ];
    const insert = db.prepare(
      `INSERT INTO events (id, received_at, time, action, entity_type, entity_id, modified_fields, delivery_id, headers, raw, drift)
       VALUES (?, ?, ?, 'create', 'task', ?, NULL, ?, NULL, ?, NULL)`,
    );
    for (const row of rows)
      insert.run(row.id, row.at, row.at, `t-${row.id}`, `msg_${row.id}`, Buffer.from('{}'));
    db.close();

    const store = openStore(dataDir);
    const inOrder = ['E0002', 'E0007', 'E0001', 'E0009', 'E0005'];
    expect((await store.eventsAfterSequence('0', 10, 0)).map((event) => [event.sequence, event.id])).toEqual(
      inOrder.map((id, i) => [String(i + 1), id]),
    );
    expect(await store.sequenceBounds(0)).toEqual({ firstRetained: '1', last: '5' });
    expect((await store.getEvent('E0009', 0))?.sequence).toBe('4');
    // A redelivery of an old event answers its backfilled position; a new event takes the next one.
    const fresh = {
      id: 'E0010',
      receivedAtMs: BASE_MS + 3_000,
      timeMs: BASE_MS,
      action: 'create' as const,
      entityType: 'task',
      entityId: 't-new',
      modifiedFields: null,
      headers: null,
      raw: Buffer.from('{"payload":{}}'),
    };
    const duplicate = await store.insertEvent({ ...fresh, id: 'E0011', deliveryId: 'msg_E0005' });
    expect([duplicate.duplicate, duplicate.event.id, duplicate.event.sequence]).toEqual([true, 'E0005', '5']);
    expect((await store.insertEvent({ ...fresh, deliveryId: null })).event.sequence).toBe('6');
  });

  it('starts an empty database at "0"', async () => {
    const { dataDir, db } = databaseBeforeSequence();
    db.close();
    const store = openStore(dataDir);
    expect(await store.sequenceBounds(0)).toEqual({ firstRetained: null, last: '0' });
  });
});
