import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../src/events/types.js';
import { createIdGenerator } from '../src/ids.js';
import { packageRoot } from '../src/paths.js';
import { DATABASE_FILE_NAME } from '../src/store/open.js';
import { SEARCH_BUCKET_MAX_SPAN_MS } from '../src/store/search.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import type { EventQuery, Keyset, Store, StoredEvent } from '../src/store/types.js';

// Search through the store's real SQLite file: every answer must equal the LIKE scan's (the oracle below
// runs that scan on the same file), across index buckets, purges, evictions and a migrated database.

const HOUR_MS = 3_600_000;
const dirs: string[] = [];
const stores: (Store & { db: Database.Database })[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-search-'));
  dirs.push(dir);
  return dir;
}

function open(dataDir: string, maxStoredEvents = 0): Store & { db: Database.Database } {
  const store = createSqliteStore({ dataDir, maxRejections: 10, maxStoredEvents });
  stores.push(store);
  return store;
}

const WORDS = [
  'zebra',
  'Zebrafish',
  'name',
  'naïve café',
  '日本語テキスト',
  '50% off',
  'a_b',
  'back\\slash',
  'x',
];
const ACTIONS: Action[] = ['create', 'update', 'delete'];

/** Events whose received times advance by `stepMs`, bodies mixing the words above (some raw bytes invalid). */
function makeEvents(count: number, startMs: number, stepMs: number): StoredEvent[] {
  let now = startMs;
  const newId = createIdGenerator({ now: () => now });
  const events: StoredEvent[] = [];
  for (let i = 0; i < count; i++) {
    now = startMs + i * stepMs;
    const text = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} n${i}`;
    const json = Buffer.from(JSON.stringify({ payload: { id: `e${i % 13}`, text } }));
    // Every 11th body carries a byte that is not UTF-8: LIKE and the index must agree on it too.
    const raw = i % 11 === 0 ? Buffer.concat([json, Buffer.from([0xc3, 0x28, 0x80])]) : json;
    events.push({
      id: newId(),
      receivedAtMs: now,
      timeMs: now,
      action: ACTIONS[i % 3] ?? 'create',
      entityType: i % 2 === 0 ? 'task' : 'component',
      entityId: `e${i % 13}`,
      modifiedFields: null,
      deliveryId: null,
      headers: null,
      raw,
    });
  }
  return events;
}

/** The full scan the index replaces: ids newest first. */
function scan(db: Database.Database, query: EventQuery, cutoffMs: number): string[] {
  const clauses = ['received_at >= @cutoff'];
  if (query.action) clauses.push('action = @action');
  if (query.entityType) clauses.push('entity_type = @entityType');
  if (query.entityId) clauses.push('entity_id = @entityId');
  if (query.sinceMs != null) clauses.push('received_at >= @since');
  if (query.untilMs != null) clauses.push('received_at < @until');
  clauses.push("CAST(raw AS TEXT) LIKE @like ESCAPE '\\'");
  const like = `%${(query.search ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return (
    db
      .prepare(`SELECT id FROM events WHERE ${clauses.join(' AND ')} ORDER BY received_at DESC, id DESC`)
      .all({
        cutoff: cutoffMs,
        like,
        ...(query.action ? { action: query.action } : {}),
        ...(query.entityType ? { entityType: query.entityType } : {}),
        ...(query.entityId ? { entityId: query.entityId } : {}),
        ...(query.sinceMs != null ? { since: query.sinceMs } : {}),
        ...(query.untilMs != null ? { until: query.untilMs } : {}),
      }) as { id: string }[]
  ).map((row) => row.id);
}

/** Every page through the store's API, and its totalCount. */
async function paged(store: Store, query: EventQuery, cutoffMs: number, first: number) {
  const ids: string[] = [];
  let after: Keyset | null = null;
  for (;;) {
    const page = await store.listEvents(query, first, after, cutoffMs);
    ids.push(...page.rows.map((row) => row.id));
    const last = page.rows.at(-1);
    if (!page.hasNextPage || !last) break;
    after = { atMs: last.receivedAtMs, id: last.id };
  }
  return { ids, total: await store.countEvents(query, cutoffMs) };
}

const TERMS = [
  'zebra',
  'ZEBRAFISH',
  'name',
  'NAÏVE', // non-ASCII: LIKE folds ASCII only, so this finds nothing while 'naïve' does
  'naïve',
  'café',
  '日本語',
  '50%',
  '%',
  'a_b',
  '_',
  'back\\slash',
  '\\',
  'x',
  'ze',
  '\uFFFD(', // the invalid bytes read as U+FFFD by LIKE and by the tokenizer alike
  'qqqxxyy',
  'n1',
  'n17 ',
  // Rare terms (a few rows each): answered from the index buckets, not the newest-rows scan.
  'n42',
  'N7"',
  'n1"',
  'n59',
];

async function expectSameAsScan(
  store: Store & { db: Database.Database },
  cutoffMs: number,
  extra: EventQuery = {},
) {
  for (const search of TERMS) {
    const query = { ...extra, search };
    const expected = scan(store.db, query, cutoffMs);
    for (const first of [1, 7, 50]) {
      const got = await paged(store, query, cutoffMs, first);
      expect({ search, first, ids: got.ids }).toEqual({ search, first, ids: expected });
      expect({ search, total: got.total }).toEqual({ search, total: expected.length });
    }
  }
}

const tables = (db: Database.Database): string[] =>
  (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'events_search_[0-9]*' AND sql IS NOT NULL AND sql LIKE '%fts5%'",
      )
      .all() as { name: string }[]
  ).map((row) => row.name);

describe('search', () => {
  it('returns what a scan returns, across index buckets, with every filter, wildcard and short term', async () => {
    const store = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    // 6 minutes apart: the 6-hour span closes a bucket every 60 inserts; more rows than the scan probe.
    const events = makeEvents(900, start, SEARCH_BUCKET_MAX_SPAN_MS / 60);
    for (let i = 0; i < events.length; i += 10) {
      await Promise.all(events.slice(i, i + 10).map((event) => store.insertEvent(event)));
    }
    expect(tables(store.db).length).toBeGreaterThan(10);
    const cutoff = start;
    await expectSameAsScan(store, cutoff);
    await expectSameAsScan(store, cutoff, { action: 'update' });
    await expectSameAsScan(store, cutoff, { entityType: 'component', entityId: 'e3' });
    await expectSameAsScan(store, cutoff, {
      sinceMs: start + 20 * HOUR_MS,
      untilMs: start + 70 * HOUR_MS,
    });
    // A cut-off inside the range: rows before it are never returned, whichever bucket holds them.
    await expectSameAsScan(store, start + 25 * HOUR_MS);
  });

  it('never returns purged rows, drops buckets no stored event can be in, and stays exact', async () => {
    const store = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    // More rows than the newest-rows probe, so rare terms are answered from the buckets.
    const events = makeEvents(800, start, HOUR_MS / 6);
    for (let i = 0; i < events.length; i += 10) {
      await Promise.all(events.slice(i, i + 10).map((event) => store.insertEvent(event)));
    }
    const before = tables(store.db).length;
    const cutoff = start + 40 * HOUR_MS;
    for (;;) {
      const step = await store.purgeStep(cutoff, 7, 5);
      if (step.done) break;
    }
    const after = tables(store.db);
    expect(after.length).toBeLessThan(before);
    await expectSameAsScan(store, cutoff);
    // Even a cut-off of 0 finds nothing purged: the rows are gone, stale index entries are not answers.
    expect((await paged(store, { search: 'zebra' }, 0, 50)).ids).toEqual(
      scan(store.db, { search: 'zebra' }, 0),
    );

    // Purge everything: every old bucket goes, and new events are found in a fresh one.
    for (;;) if ((await store.purgeStep(start + 1_000 * HOUR_MS, 50, 5)).done) break;
    expect(tables(store.db).length).toBe(1);
    const later = makeEvents(20, start + 2_000 * HOUR_MS, 1_000);
    for (const event of later) await store.insertEvent(event);
    await expectSameAsScan(store, 0);
  });

  it('stays exact after capacity eviction, and the purge drops the evicted rows buckets', async () => {
    const store = open(tempDir(), 400);
    const start = Date.UTC(2030, 0, 1);
    const events = makeEvents(900, start, HOUR_MS / 6);
    for (let i = 0; i < events.length; i += 8) {
      await Promise.all(events.slice(i, i + 8).map((event) => store.insertEvent(event)));
    }
    expect((store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(400);
    await expectSameAsScan(store, 0);
    const before = tables(store.db).length;
    // Nothing is expired: the purge only drops index buckets of evicted rows.
    for (;;) if ((await store.purgeStep(0, 100, 5)).done) break;
    expect(tables(store.db).length).toBeLessThan(before);
    await expectSameAsScan(store, 0);
  });

  it('finds rows stored before the migration that added the index', async () => {
    const dataDir = tempDir();
    // A database as version 0003 left it: migrations 0000-0003 only, events written by plain SQL.
    const oldMigrations = join(dataDir, 'migrations');
    mkdirSync(join(oldMigrations, 'meta'), { recursive: true });
    const source = join(packageRoot, 'server', 'drizzle');
    for (const file of readdirSync(source).filter((f) => /^000[0-3]_.*\.sql$/.test(f)))
      copyFileSync(join(source, file), join(oldMigrations, file));
    const journal = JSON.parse(
      (await import('node:fs')).readFileSync(join(source, 'meta', '_journal.json'), 'utf8'),
    ) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((entry) => entry.idx <= 3);
    writeFileSync(join(oldMigrations, 'meta', '_journal.json'), JSON.stringify(journal));
    const old = new Database(join(dataDir, DATABASE_FILE_NAME));
    old.pragma('auto_vacuum = INCREMENTAL');
    old.pragma('journal_mode = WAL');
    migrate(drizzle(old), { migrationsFolder: oldMigrations });
    const start = Date.now() - 2 * HOUR_MS;
    const insert = old.prepare(
      `INSERT INTO events (id, received_at, time, action, entity_type, entity_id, raw) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of makeEvents(600, start, 1_000))
      insert.run(e.id, e.receivedAtMs, e.timeMs, e.action, e.entityType, e.entityId, e.raw);
    old.close();

    const store = open(dataDir);
    expect(tables(store.db).length).toBe(8);
    await expectSameAsScan(store, 0);
    // New rows join the migrated index.
    for (const e of makeEvents(30, start + HOUR_MS, 1_000)) await store.insertEvent(e);
    await expectSameAsScan(store, 0);
  });
});
