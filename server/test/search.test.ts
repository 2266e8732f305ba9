import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../src/domain/types.js';
import { createIdGenerator } from '../src/shared/ids.js';
import { packageRoot } from '../src/shared/paths.js';
import { DATABASE_FILE_NAME } from '../src/store/sqlite/open.js';
import {
  SEARCH_BUCKET_MAX_SPAN_MS,
  SEARCH_INDEX_CHUNK_ROWS,
  COUNT_MIN_ROWS,
  indexAllForSearch,
  indexSearchStepUnsynced,
  searchIndexedRowid,
} from '../src/store/sqlite/search.js';
import { createSqliteStore, type SqliteMaintenance, type SqliteStore } from '../src/store/sqlite/index.js';
import { toEventRow } from '../src/store/sqlite/rows.js';
import { waitFor } from './helpers/server.js';
import type { EventQuery, EventStore, Keyset, NewEvent, PurgeReport } from '../src/store/types.js';

// Search through the store's real SQLite file: every answer must equal the LIKE scan's (the oracle below
// runs that scan on the same file, over a connection of its own), across index buckets, purges,
// evictions and a migrated database, and at every stage of the indexing (nothing indexed, part of it,
// all of it). The store is used through its contract and its maintenance; what a test needs of the
// file itself (the index's tables and mark, one indexing step at a time) goes through the test's own
// connection, as another program (the seeder) would.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-search-'));
  dirs.push(dir);
  return dir;
}

/** A store under test, its maintenance (started on first use) and the test's own connection to its file. */
interface Opened {
  store: SqliteStore;
  /** The test's connection to the database file. */
  file: Database.Database;
  /** Starts the maintenance (the purge at start finds nothing: the cut-off is 0 until `purge`). */
  maintain(): SqliteMaintenance;
  /** Purges everything received before `cutoffMs`, as the maintenance does (paced steps, then vacuum). */
  purge(cutoffMs: number): Promise<PurgeReport>;
  /** Indexes every row not yet indexed, as the background indexing does; resolves with the rows indexed. */
  indexAll(): Promise<number>;
  close(): Promise<void>;
}

interface OpenOptions {
  maxStoredEvents?: number;
  searchIndexIntervalMs?: number;
  searchIndexStepMaxMs?: number;
}

function open(dataDir: string, options: OpenOptions = {}): Opened {
  const store = createSqliteStore({
    dataDir,
    maxRejections: 10,
    maxStoredEvents: options.maxStoredEvents ?? 0,
    // No timed indexing unless a test asks for it: each test decides what is indexed when.
    searchIndexIntervalMs: options.searchIndexIntervalMs ?? DAY_MS,
    searchIndexStepMaxMs: options.searchIndexStepMaxMs,
  });
  const file = new Database(join(dataDir, DATABASE_FILE_NAME));
  file.pragma('busy_timeout = 5000');
  // As the store's own connection: the indexing step must leave it so.
  file.pragma('synchronous = FULL');
  let cutoffMs = 0;
  let maintenance: SqliteMaintenance | null = null;
  const errors: unknown[] = [];
  const maintain = (): SqliteMaintenance =>
    (maintenance ??= store.startMaintenance({
      cutoffMs: () => cutoffMs,
      purgeIntervalMs: DAY_MS,
      onError: (error) => errors.push(error),
    }));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await maintenance?.stop();
    file.close();
    await store.close();
    expect(errors).toEqual([]);
  };
  cleanups.push(close);
  return {
    store,
    file,
    maintain,
    purge(at) {
      const running = maintain();
      cutoffMs = at;
      return running.runNow();
    },
    indexAll: () => maintain().indexNow(),
    close,
  };
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
function makeEvents(count: number, startMs: number, stepMs: number): NewEvent[] {
  let now = startMs;
  const newId = createIdGenerator({ now: () => now });
  const events: NewEvent[] = [];
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
async function paged(store: EventStore, query: EventQuery, cutoffMs: number, first: number) {
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

async function expectSameAsScan({ store, file }: Opened, cutoffMs: number, extra: EventQuery = {}) {
  for (const search of TERMS) {
    const query = { ...extra, search };
    const expected = scan(file, query, cutoffMs);
    for (const first of [1, 7, 50]) {
      const got = await paged(store, query, cutoffMs, first);
      expect({ search, first, ids: got.ids }).toEqual({ search, first, ids: expected });
      expect({ search, total: got.total }).toEqual({ search, total: expected.length });
    }
    // The bounded count: exact up to its bound, "at least the bound" past it; it may stop early with a
    // lower bound only past COUNT_MIN_ROWS confirmed rows (most files here hold fewer: exact there).
    const n = expected.length;
    for (const atMost of new Set([1, Math.max(1, n - 1), Math.max(1, n), n + 1])) {
      const counted = await store.countEventsAtMost(query, atMost, cutoffMs);
      const stoppedEarly = storedRows(file) > COUNT_MIN_ROWS && !counted.exact;
      const want = stoppedEarly
        ? { value: Math.min(counted.value, n, atMost), exact: false }
        : n > atMost
          ? { value: atMost, exact: false }
          : { value: n, exact: true };
      expect({ search, atMost, counted }).toEqual({ search, atMost, counted: want });
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

/** The b-trees (FTS5 segments) of a bucket's index. */
const segments = (db: Database.Database, table: string): number =>
  (db.prepare(`SELECT count(DISTINCT segid) AS n FROM "${table}_idx"`).get() as { n: number }).n;

const storedRows = (db: Database.Database): number =>
  (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;

const maxRowid = (db: Database.Database): number =>
  (db.prepare('SELECT coalesce(max(rowid), 0) AS r FROM events').get() as { r: number }).r;

async function insertAll({ store }: Opened, events: NewEvent[], perCommit = 10): Promise<void> {
  for (let i = 0; i < events.length; i += perCommit) {
    await Promise.all(events.slice(i, i + perCommit).map((event) => store.insertEvent(event)));
  }
}

// Each test runs thousands of queries and scans: on a loaded 2-core machine, more than the default 30 s.
describe('search', { timeout: 120_000 }, () => {
  it('returns what a scan returns before, during and after indexing, with every filter, wildcard and short term', async () => {
    const t = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    // 6 minutes apart: the 6-hour span closes a bucket every 60 rows; more rows than the scan probe.
    const events = makeEvents(900, start, SEARCH_BUCKET_MAX_SPAN_MS / 60);
    await insertAll(t, events);
    // The ingest commit indexes nothing: every row is in the unindexed tail, found by LIKE.
    expect(tables(t.file)).toEqual([]);
    expect(searchIndexedRowid(t.file)).toBe(0);
    await expectSameAsScan(t, start);
    await expectSameAsScan(t, start, { action: 'update' });

    // One chunk (a zero budget still does one): part indexed, part tail.
    expect(indexSearchStepUnsynced(t.file, 0)).toEqual({ rows: SEARCH_INDEX_CHUNK_ROWS, done: false });
    expect(searchIndexedRowid(t.file)).toBe(SEARCH_INDEX_CHUNK_ROWS);
    await expectSameAsScan(t, start);
    await expectSameAsScan(t, start, { entityType: 'component', entityId: 'e3' });

    expect(indexSearchStepUnsynced(t.file, 0).rows).toBe(900 - SEARCH_INDEX_CHUNK_ROWS);
    // Nothing left to index: the next steps merge the closed buckets' segments (a zero budget still
    // runs one merge command), until each is one b-tree.
    let mergeSteps = 0;
    while (!indexSearchStepUnsynced(t.file, 0).done) expect(++mergeSteps).toBeLessThan(100);
    expect(indexSearchStepUnsynced(t.file, 0)).toEqual({ rows: 0, done: true });
    const closed = tables(t.file)
      .sort((a, b) => Number(a.split('_')[2]) - Number(b.split('_')[2]))
      .slice(0, -1);
    expect(closed.map((table) => segments(t.file, table))).toEqual(closed.map(() => 1));
    // The step's own commit skips the fsync; the connection is FULL (2) again after it, as ingest needs.
    expect(t.file.pragma('synchronous', { simple: true })).toBe(2);
    expect(searchIndexedRowid(t.file)).toBe(maxRowid(t.file));
    expect(tables(t.file).length).toBeGreaterThan(10);
    const cutoff = start;
    await expectSameAsScan(t, cutoff);
    await expectSameAsScan(t, cutoff, { action: 'update' });
    await expectSameAsScan(t, cutoff, { entityType: 'component', entityId: 'e3' });
    await expectSameAsScan(t, cutoff, {
      sinceMs: start + 20 * HOUR_MS,
      untilMs: start + 70 * HOUR_MS,
    });
    // A cut-off inside the range: rows before it are never returned, whichever bucket holds them.
    await expectSameAsScan(t, start + 25 * HOUR_MS);

    // New rows after a caught-up index: a tail again, over the buckets.
    await insertAll(t, makeEvents(40, start + 200 * HOUR_MS, 1_000));
    await expectSameAsScan(t, start);
  });

  it('bounds the work of a count: a term whose candidates are mostly false positives stops early and says so', async () => {
    const t = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    // Every body holds each trigram of "abcabd"; only the 3 oldest hold the term itself.
    const events = makeEvents(COUNT_MIN_ROWS + 500, start, 1_000).map((event, i) => ({
      ...event,
      raw: Buffer.from(JSON.stringify({ payload: { text: i < 3 ? 'abcabd' : 'abcab cabd' } })),
    }));
    await insertAll(t, events, 50);
    await t.indexAll();
    const query = { search: 'abcabd' };
    // Bound 5: it confirms at most COUNT_MIN_ROWS candidates, which are not all of them: "at least 3".
    expect(await t.store.countEventsAtMost(query, 5, 0)).toEqual({ value: 3, exact: false });
    // Bound 1,000: up to 2 candidates per match (2,002), every candidate: exact.
    expect(await t.store.countEventsAtMost(query, 1_000, 0)).toEqual({ value: 3, exact: true });
    expect(await t.store.countEvents(query, 0)).toBe(3);
    // Past the bound whatever the work: "at least 1".
    expect(await t.store.countEventsAtMost(query, 1, 0)).toEqual({ value: 1, exact: false });
    // The same rows unindexed (the tail, by LIKE): the same answers.
    await insertAll(t, makeEvents(10, start + 5_000_000, 1_000));
    expect(await t.store.countEventsAtMost(query, 1_000, 0)).toEqual({ value: 3, exact: true });
  });

  it('never returns purged rows, drops buckets no stored event can be in, and stays exact', async () => {
    const t = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    // More rows than the newest-rows probe, so rare terms are answered from the buckets.
    await insertAll(t, makeEvents(800, start, HOUR_MS / 6));
    await t.indexAll();
    const before = tables(t.file).length;
    const cutoff = start + 40 * HOUR_MS;
    await t.purge(cutoff);
    const after = tables(t.file);
    expect(after.length).toBeLessThan(before);
    await expectSameAsScan(t, cutoff);
    // Even a cut-off of 0 finds nothing purged: the rows are gone, stale index entries are not answers.
    expect((await paged(t.store, { search: 'zebra' }, 0, 50)).ids).toEqual(
      scan(t.file, { search: 'zebra' }, 0),
    );

    // Purge everything: every old bucket goes, and new events are found in a fresh one.
    await t.purge(start + 1_000 * HOUR_MS);
    expect(tables(t.file).length).toBe(1);
    const later = makeEvents(20, start + 2_000 * HOUR_MS, 1_000);
    for (const event of later) await t.store.insertEvent(event);
    await expectSameAsScan(t, 0);
    await t.indexAll();
    await expectSameAsScan(t, 0);
  });

  it('stays exact after capacity eviction, and the purge drops the evicted rows buckets', async () => {
    const t = open(tempDir(), { maxStoredEvents: 400 });
    const start = Date.UTC(2030, 0, 1);
    const events = makeEvents(900, start, HOUR_MS / 6);
    // Indexed as it goes (a step every 200 rows), so evicted rows leave entries in buckets.
    for (let i = 0; i < events.length; i += 200) {
      await insertAll(t, events.slice(i, i + 200), 8);
      await t.indexAll();
    }
    expect((t.file.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(400);
    await expectSameAsScan(t, 0);
    const before = tables(t.file).length;
    // Nothing is expired: the purge only drops index buckets of evicted rows.
    await t.purge(0);
    expect(tables(t.file).length).toBeLessThan(before);
    await expectSameAsScan(t, 0);
  });

  it('finds rows stored before the migration that added the index', async () => {
    const dataDir = tempDir();
    // A database as version 0003 left it: migrations 0000-0003 only, events written by plain SQL.
    const oldMigrations = join(dataDir, 'migrations');
    mkdirSync(join(oldMigrations, 'meta'), { recursive: true });
    const source = join(packageRoot, 'server', 'drizzle', 'sqlite');
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
    // The columns of version 0003 only: later migrations add some (0005: drift), unknown to this file.
    const insertOld = old.prepare(
      `INSERT INTO events (id, received_at, time, action, entity_type, entity_id, modified_fields, delivery_id, headers, raw)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of makeEvents(600, start, 1_000)) {
      // No sequence column before 0010: the value given here is not written.
      const row = toEventRow({ ...e, sequence: '0' });
      insertOld.run(
        row.id,
        row.receivedAt,
        row.time,
        row.action,
        row.entityType,
        row.entityId,
        row.modifiedFields == null ? null : JSON.stringify(row.modifiedFields),
        row.deliveryId ?? null,
        row.headers == null ? null : JSON.stringify(row.headers),
        row.raw,
      );
    }
    old.close();

    const t = open(dataDir, { searchIndexStepMaxMs: 1 });
    // The migration indexes nothing (it would hold up the start): the stored rows are the tail.
    expect(tables(t.file)).toEqual([]);
    await expectSameAsScan(t, 0);
    // The background indexing catches up, in steps of a 1 ms budget.
    expect(await t.indexAll()).toBe(600);
    expect(tables(t.file).length).toBeGreaterThan(0);
    expect(searchIndexedRowid(t.file)).toBe(maxRowid(t.file));
    await expectSameAsScan(t, 0);
    // New rows join the migrated index.
    for (const e of makeEvents(30, start + HOUR_MS, 1_000)) await t.store.insertEvent(e);
    await expectSameAsScan(t, 0);
    expect(await t.indexAll()).toBe(30);
    await expectSameAsScan(t, 0);
  });

  it('keeps rows searchable when deleting the newest rowids makes SQLite reuse rowids below the mark', async () => {
    const t = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    // Rowids 1-300 received late, 301-600 received early: a purge of the early ones deletes the top
    // rowids and leaves the others, so new rows get rowids 301+ again, below the old mark (600).
    await insertAll(t, makeEvents(300, start + 100 * HOUR_MS, 1_000));
    await insertAll(t, makeEvents(300, start, 1_000));
    await t.indexAll();
    expect(searchIndexedRowid(t.file)).toBe(600);
    const cutoff = start + 50 * HOUR_MS;
    await t.purge(cutoff);
    expect(maxRowid(t.file)).toBe(300);
    // The purge lowered the mark with the rows: every later row is above it.
    expect(searchIndexedRowid(t.file)).toBe(300);
    // The old bucket still holds entries for rowids 301-600 (stale now): the new rows that take those
    // rowids must be found once each, not missed and not counted twice.
    const fresh = makeEvents(250, start + 200 * HOUR_MS, 1_000);
    await insertAll(t, fresh);
    expect(maxRowid(t.file)).toBe(550);
    await expectSameAsScan(t, cutoff);
    await t.indexAll();
    await expectSameAsScan(t, cutoff);

    // Everything purged: the mark falls to 0 and rowids start at 1 again.
    await t.purge(start + 1_000 * HOUR_MS);
    expect(searchIndexedRowid(t.file)).toBe(0);
    await insertAll(t, makeEvents(120, start + 2_000 * HOUR_MS, 1_000));
    expect(maxRowid(t.file)).toBe(120);
    await expectSameAsScan(t, 0);
    indexSearchStepUnsynced(t.file, 0);
    await expectSameAsScan(t, 0);
  });

  it('stays exact after deletes of indexed rows (one, a search, all), and rows that reuse their rowids are found', async () => {
    const t = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    const stored = makeEvents(600, start, 1_000);
    await insertAll(t, stored);
    await t.indexAll();
    expect(searchIndexedRowid(t.file)).toBe(600);
    const body = (stored[10] as NewEvent).raw.toString('utf8');
    const term = body.slice(body.length - 12, body.length - 4);
    // One from the middle, then every row a search finds, then the newest rowids (the top goes free).
    await t.store.deleteEvents({ kind: 'one', id: (stored[10] as NewEvent).id }, 0);
    expect(scan(t.file, { search: term }, 0)).not.toContain((stored[10] as NewEvent).id);
    await expectSameAsScan(t, 0);
    const report = await t.store.deleteEvents({ kind: 'matching', query: { search: 'a' } }, 0);
    expect(report.eventCount).toBeGreaterThan(0);
    expect(await t.store.countEvents({ search: 'a' }, 0)).toBe(0);
    await expectSameAsScan(t, 0);
    await t.store.deleteEvents({ kind: 'matching', query: { sinceMs: start + 500_000 } }, 0);
    expect(searchIndexedRowid(t.file)).toBe(maxRowid(t.file));
    // New rows take the freed rowids, below the bucket entries of the deleted bodies: found once each.
    await insertAll(t, makeEvents(150, start + HOUR_MS, 1_000));
    await expectSameAsScan(t, 0);
    await t.indexAll();
    await expectSameAsScan(t, 0);
    await t.store.deleteEvents({ kind: 'all' }, 0);
    expect(searchIndexedRowid(t.file)).toBe(0);
    await insertAll(t, makeEvents(40, start + 2 * HOUR_MS, 1_000));
    await expectSameAsScan(t, 0);
  });

  it('stays exact across a restart in the middle of indexing, and after deletes made while closed', async () => {
    const dataDir = tempDir();
    const start = Date.UTC(2030, 0, 1);
    const first = open(dataDir);
    await insertAll(first, makeEvents(1_200, start, 60_000));
    expect(indexSearchStepUnsynced(first.file, 0)).toEqual({ rows: SEARCH_INDEX_CHUNK_ROWS, done: false });
    await first.close();

    const second = open(dataDir);
    expect(searchIndexedRowid(second.file)).toBe(SEARCH_INDEX_CHUNK_ROWS);
    await expectSameAsScan(second, 0);
    expect(await second.indexAll()).toBe(1_200 - SEARCH_INDEX_CHUNK_ROWS);
    await expectSameAsScan(second, 0);
    expect(searchIndexedRowid(second.file)).toBe(1_200);
    await second.close();
    // Another program deletes the newest rows while the server is down: the open lowers the mark.
    const other = new Database(join(dataDir, DATABASE_FILE_NAME));
    other.prepare('DELETE FROM events WHERE rowid > 1000').run();
    other.close();
    const third = open(dataDir);
    expect(searchIndexedRowid(third.file)).toBe(1_000);
    await insertAll(third, makeEvents(60, start + 500 * HOUR_MS, 1_000));
    await expectSameAsScan(third, 0);
    await third.indexAll();
    await expectSameAsScan(third, 0);
  });

  it('indexes a bulk load in large steps (the seeder) with the same buckets as the background job', async () => {
    const t = open(tempDir());
    const start = Date.UTC(2030, 0, 1);
    await insertAll(t, makeEvents(700, start, SEARCH_BUCKET_MAX_SPAN_MS / 100), 50);
    expect(indexAllForSearch(t.file, 250)).toBe(700);
    // 100 rows per 6-hour bucket.
    expect(tables(t.file).length).toBe(7);
    await expectSameAsScan(t, 0);
  });

  it('puts timed passes off while the event loop is busy, and catches up once it is not', async () => {
    const t = open(tempDir(), { searchIndexIntervalMs: 20 });
    await insertAll(t, makeEvents(200, Date.now() - HOUR_MS, 1_000));
    // Busy: 18 ms of work in every ~20 ms, for well over ten ticks.
    const busyUntil = performance.now() + 400;
    await new Promise<void>((resolve) => {
      const burn = (): void => {
        const sliceEnd = performance.now() + 18;
        while (performance.now() < sliceEnd);
        // Started after the first busy slice, so that even its first pass sees a busy loop.
        t.maintain();
        if (performance.now() < busyUntil) setImmediate(burn);
        else resolve();
      };
      burn();
    });
    const indexedWhileBusy = searchIndexedRowid(t.file);
    expect(indexedWhileBusy).toBe(0);
    await waitFor(() => searchIndexedRowid(t.file) === maxRowid(t.file));
    await expectSameAsScan(t, 0);
  });
});
