import type Database from 'better-sqlite3';
import { and, asc, count, desc, eq, gt, min, sql, type SQL } from 'drizzle-orm';
import type { Keyset, StoredEvent } from '../types.js';
import { keyset, keysetParams, searchCondition, type Params, type SearchFilter } from './filters.js';
import { createShapeCache, ormOf, prepareCount, prepareRows, type Orm } from './orm.js';
import { asFragments, eventColumns } from './rows.js';
import { events, searchBuckets, searchState } from './schema.js';

// Free-text search (`EventQuery.search`: an ASCII case-insensitive substring of the raw body) over
// time-bucketed trigram indexes. Each bucket is a contentless FTS5 table `events_search_<id>`
// (rowid = events.rowid); rows are never deleted from it: a bucket is dropped whole once no stored event
// can be in it, so a purge or an eviction never touches the index row by row (deleting from one big
// trigram table cost 0.1-8 s per purge batch, migration 0003). Stale entries (purged, evicted, or a
// reused rowid) are harmless: every candidate is joined to `events` by rowid and confirmed with the
// exact LIKE and the other filters, so results always equal a full scan's.
//
// Rows are not indexed by the ingest commit (an insert trigger cost CPU per row inside the group commit,
// and FTS5 wrote one small segment per commit; see docs/performance.md, "Design choices", search: indexing in batches).
// A separate step, {@link indexSearchStep}, indexes the rows above a high-water mark
// (`search_state.indexed_rowid`) in large batches, in a transaction of its own. Queries LIKE-scan the
// rows above the mark (the unindexed tail, normally a second of ingest or less) besides the buckets.
//
// Raw SQL here (each place marked): the FTS5 tables (one per bucket, so not in the schema), MATCH, rowid
// and NOT INDEXED, which drizzle has no word for. The plain queries use the query builder.

/** A bucket stops taking rows at this many (its DROP then stays short: ~12 ms measured for 50,000). */
export const SEARCH_BUCKET_MAX_ROWS = 50_000;
/** ...or once it spans this much received time, so that a quiet week still drops in steps. */
export const SEARCH_BUCKET_MAX_SPAN_MS = 6 * 3_600_000;
/**
 * Rows per INSERT … SELECT inside an indexing step; the step's time budget is checked between chunks.
 * Every chunk of a step lands in the one segment FTS5 writes at the step's commit.
 */
export const SEARCH_INDEX_CHUNK_ROWS = 500;
/** Newest rows LIKE-scanned first: a common term fills the page there before any index work. */
const PROBE_ROWS = 256;
/** Largest second scan window (a term found 4+ times in the probe is dense enough to scan for). */
const MAX_SCAN_ROWS = 20_000;
/** A term longer than this is matched on this many of its trigrams (a subset still gives a superset). */
const MAX_TRIGRAMS = 12;

/** The FTS5 table of bucket `id`. */
export function searchTableName(id: number): string {
  return `events_search_${Math.trunc(id)}`;
}

/** The statement that creates bucket `id`'s table (raw: drizzle has no word for FTS5 tables). */
export function searchBucketSql(id: number): string {
  return `CREATE VIRTUAL TABLE \`${searchTableName(id)}\` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0)`;
}

type BucketRow = typeof searchBuckets.$inferSelect;

const bucketColumns = {
  id: searchBuckets.id,
  rowCount: searchBuckets.rowCount,
  minReceivedAt: searchBuckets.minReceivedAt,
  maxReceivedAt: searchBuckets.maxReceivedAt,
};

/** The events table's rowid (raw: drizzle has no word for it). */
const rowid = sql<number>`${events}.rowid`;

/** Starts a new current bucket (inside the caller's transaction). */
function startBucket(db: Database.Database): BucketRow {
  const id = Number(ormOf(db).insert(searchBuckets).values({ rowCount: 0 }).run().lastInsertRowid);
  db.exec(searchBucketSql(id));
  return { id, rowCount: 0, minReceivedAt: null, maxReceivedAt: null };
}

const markStatements = new WeakMap<Database.Database, () => number>();
const clampStatements = new WeakMap<Database.Database, () => void>();

/** The last events.rowid indexed: every stored row at or below it is in a bucket. */
export function searchIndexedRowid(db: Database.Database): number {
  let read = markStatements.get(db);
  if (!read) {
    // Prepared once per connection: every search that reaches the index reads the mark.
    const statement = ormOf(db)
      .select({ r: searchState.indexedRowid })
      .from(searchState)
      .where(eq(searchState.id, 1))
      .prepare();
    read = () => statement.get()?.r ?? 0;
    markStatements.set(db, read);
  }
  return read();
}

/**
 * Keeps the high-water mark at or below the largest stored rowid. SQLite gives a new row max(rowid) + 1,
 * so once the rows at the top are deleted (a purge or eviction of everything newer than the rest) new rows
 * would reuse rowids at or below the mark and never be indexed, nor LIKE-scanned as the tail. Lowering
 * the mark to the largest rowid left loses nothing (every row above it is gone) and puts every later row
 * above it. Must run in the same transaction as any delete from `events` (the purge step, an eviction)
 * and at open (deletes made by another program).
 */
export function clampSearchMark(db: Database.Database): void {
  let clamp = clampStatements.get(db);
  if (!clamp) {
    // Prepared once per connection: a capped store runs it in every commit that evicts.
    const largest = sql`(SELECT coalesce(max(rowid), 0) FROM ${events})`;
    const statement = ormOf(db)
      .update(searchState)
      .set({ indexedRowid: largest })
      .where(and(eq(searchState.id, 1), gt(searchState.indexedRowid, largest)))
      .prepare();
    clamp = () => void statement.run();
    clampStatements.set(db, clamp);
  }
  clamp();
}

/** What one indexing step did. */
export interface SearchIndexStep {
  /** Rows indexed. */
  rows: number;
  /** True when no row above the mark is left (as of this step's transaction). */
  done: boolean;
}

/** Indexes rowids (from, to] into `bucket` and stores its figures (already counting those rows). */
function fillBucket(orm: Orm, bucket: BucketRow, fromRowid: number, toRowid: number): void {
  // Raw: the FTS5 table of the bucket is not in the schema.
  const table = sql.identifier(searchTableName(bucket.id));
  orm.run(
    sql`INSERT INTO ${table} (rowid, body) SELECT ${rowid}, CAST(${events.raw} AS TEXT) FROM ${events}
        WHERE ${rowid} > ${fromRowid} AND ${rowid} <= ${toRowid}`,
  );
  const { rowCount, minReceivedAt, maxReceivedAt } = bucket;
  orm
    .update(searchBuckets)
    .set({ rowCount, minReceivedAt, maxReceivedAt })
    .where(eq(searchBuckets.id, bucket.id))
    .run();
}

/**
 * Indexes the rows above the high-water mark, oldest rowid first, in chunks of
 * {@link SEARCH_INDEX_CHUNK_ROWS}, until none is left, `maxMs` of work is spent or `maxRows` are done
 * (at least one chunk), in one transaction over the write connection `db`; moves the mark; starts a new
 * bucket when the current one is full (rows or time span). Self-contained: it runs wherever the write
 * connection lives. One FTS5 segment per step, which is what makes large steps cheaper per row.
 */
export function indexSearchStep(
  db: Database.Database,
  maxMs: number,
  maxRows = Number.POSITIVE_INFINITY,
): SearchIndexStep {
  const orm = ormOf(db);
  return db.transaction((): SearchIndexStep => {
    const started = performance.now();
    let mark = searchIndexedRowid(db);
    let bucket =
      orm.select(bucketColumns).from(searchBuckets).orderBy(desc(searchBuckets.id)).limit(1).get() ??
      startBucket(db);
    const next = orm
      .select({ r: rowid, at: events.receivedAt })
      .from(events)
      .where(sql`${rowid} > ${sql.placeholder('mark')}`)
      .orderBy(rowid)
      .limit(sql.placeholder('limit'))
      .prepare();
    let rows = 0;
    let done = false;
    /** Indexes rowids (mark, to] into the current bucket, whose figures are already updated. */
    const fill = (to: number): void => {
      fillBucket(orm, bucket, mark, to);
      mark = to;
    };
    for (;;) {
      const chunkRows = Math.min(SEARCH_INDEX_CHUNK_ROWS, maxRows - rows);
      // All read first: the connection cannot write while a statement iterates (16 bytes a row).
      const chunk = next.all({ mark, limit: chunkRows });
      let last: number | null = null;
      for (const row of chunk) {
        const full =
          bucket.rowCount >= SEARCH_BUCKET_MAX_ROWS ||
          (bucket.minReceivedAt !== null && row.at - bucket.minReceivedAt >= SEARCH_BUCKET_MAX_SPAN_MS);
        if (full) {
          if (last !== null) fill(last);
          bucket = startBucket(db);
        }
        bucket.rowCount += 1;
        bucket.minReceivedAt = Math.min(bucket.minReceivedAt ?? row.at, row.at);
        bucket.maxReceivedAt = Math.max(bucket.maxReceivedAt ?? row.at, row.at);
        last = row.r;
      }
      if (last !== null) fill(last);
      rows += chunk.length;
      if (chunk.length < chunkRows) {
        done = true;
        break;
      }
      if (rows >= maxRows || performance.now() - started >= maxMs) break;
    }
    orm.update(searchState).set({ indexedRowid: mark }).where(eq(searchState.id, 1)).run();
    return { rows, done };
  })();
}

/**
 * {@link indexSearchStep} with its commit not fsynced (`synchronous=NORMAL` for that transaction, then
 * the connection's setting again, which the store's connection already has): the index can be rebuilt
 * from `events`, the mark and the segments commit together, and the next group commit's WAL sync
 * (wal-sync.ts) covers these frames too. What the server runs.
 */
export function indexSearchStepUnsynced(db: Database.Database, maxMs: number): SearchIndexStep {
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  try {
    return indexSearchStep(db, maxMs);
  } finally {
    db.pragma(`synchronous = ${synchronous}`);
  }
}

/**
 * Drops one bucket that no stored event can be in: every row it indexed was received before the oldest
 * stored event (so purged or evicted), or the table is empty. The current bucket is only replaced, when
 * the table is empty and it holds stale entries. Runs in the purge, in its own short transaction.
 * Returns whether a bucket was dropped.
 */
export function dropStaleSearchBucket(db: Database.Database): boolean {
  const orm = ormOf(db);
  return db.transaction((): boolean => {
    const oldest =
      orm
        .select({ at: min(events.receivedAt) })
        .from(events)
        .get()?.at ?? null;
    const buckets = orm.select(bucketColumns).from(searchBuckets).orderBy(asc(searchBuckets.id)).all();
    const current = buckets.at(-1);
    if (!current) return false;
    // An empty table leaves only stale entries in the current bucket: start afresh so it can go too.
    const currentId = oldest === null && current.rowCount > 0 ? startBucket(db).id : current.id;
    const stale = buckets.find(
      (b) => b.id !== currentId && (oldest === null || b.maxReceivedAt === null || b.maxReceivedAt < oldest),
    );
    if (!stale) return false;
    // Raw: the FTS5 table of the bucket is not in the schema.
    db.exec(`DROP TABLE IF EXISTS \`${searchTableName(stale.id)}\``);
    orm.delete(searchBuckets).where(eq(searchBuckets.id, stale.id)).run();
    return true;
  })();
}

/**
 * Indexes every row not yet indexed, in steps of `stepRows` (for a bulk load: the bench seeder), the
 * same code the server runs in the background.
 */
export function indexAllForSearch(db: Database.Database, stepRows = 10_000): number {
  let total = 0;
  for (;;) {
    const step = indexSearchStep(db, Number.POSITIVE_INFINITY, stepRows);
    total += step.rows;
    if (step.done) return total;
  }
}

/**
 * The FTS5 query for `term`: an AND of its trigrams (detail=none has no phrases), or null when the index
 * cannot answer: fewer than 3 characters, or a NUL (LIKE reads the pattern only up to it).
 */
export function trigramQuery(term: string): string | null {
  if (term.includes('\u0000')) return null;
  // Code points, as SQLite reads the UTF-8 it is given (a lone surrogate arrives as one U+FFFD).
  const chars = Array.from(term);
  if (chars.length < 3) return null;
  const all = [...new Set(chars.slice(0, chars.length - 2).map((_, i) => chars.slice(i, i + 3).join('')))];
  const picked =
    all.length <= MAX_TRIGRAMS
      ? all
      : Array.from(
          { length: MAX_TRIGRAMS },
          (_, k) => all[Math.round((k * (all.length - 1)) / (MAX_TRIGRAMS - 1))] ?? '',
        );
  return picked.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
}

const newestFirst = (a: StoredEvent, b: StoredEvent): number =>
  b.receivedAtMs - a.receivedAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Query side of the search index: lists and counts equal to a LIKE scan's, without the scan. */
export interface SearchReader {
  list(filter: SearchFilter, first: number, after: { atMs: number; id: string } | null): StoredEvent[];
  count(filter: SearchFilter): number;
}

/** A prepared statement of event rows. */
interface RowsStatement {
  all(params: Params): StoredEvent[];
}

/** A prepared count. */
type CountStatement = (params: Params) => number;

/** Event rows of a select over {@link eventColumns} (or its fragments), decoded in one pass. */
const rowsOf = (orm: Orm, query: { toSQL(): { sql: string; params: unknown[] } }): RowsStatement =>
  prepareRows(orm, query, eventColumns);

const newest = [desc(events.receivedAt), desc(events.id)] as const;

/** The rowids of bucket `id` that MATCH the placeholder `match` (raw: FTS5). */
function matchIn(id: number): SQL {
  const table = sql.identifier(searchTableName(id));
  return sql`SELECT rowid FROM ${table} WHERE ${table} MATCH ${sql.placeholder('match')}`;
}

/** The other filters, from the position on when `after`. */
function filtered(filter: SearchFilter, after: boolean): SQL | undefined {
  return and(filter.where, after ? keyset(events.receivedAt, events.id, '<') : undefined);
}

/** The rows above the mark, which no bucket holds yet (NOT INDEXED, raw: keeps the planner on rowid). */
const unindexedEvents = sql`${events} NOT INDEXED`;
const aboveMark = sql`${rowid} > ${sql.placeholder('mark')}`;
/** rowid <= mark: a stale entry of a reused rowid above the mark is the tail's to find. */
const atOrBelowMark = sql`${rowid} <= ${sql.placeholder('mark')}`;

/** The row statements of the reader that name no bucket: one per filter shape, prepared on first use. */
function fixedStatements(orm: Orm) {
  const rows = createShapeCache<RowsStatement>();
  return {
    /** LIKE over every row passing the filters (the index cannot answer the term). */
    scan: (f: SearchFilter, after: boolean) =>
      rows.get(`scan|${f.shape}|${after}`, () =>
        rowsOf(
          orm,
          orm
            .select(eventColumns)
            .from(events)
            .where(and(filtered(f, after), searchCondition))
            .orderBy(...newest)
            .limit(sql.placeholder('limit')),
        ),
      ),
    /** LIKE over the newest `window` rows passing the filters (rowid IN: raw). */
    window: (f: SearchFilter, after: boolean) =>
      rows.get(`window|${f.shape}|${after}`, () => {
        const newestRows = orm
          .select({ r: rowid })
          .from(events)
          .where(filtered(f, after))
          .orderBy(...newest)
          .limit(sql.placeholder('window'));
        return rowsOf(
          orm,
          orm
            .select(eventColumns)
            .from(events)
            .where(and(sql`${rowid} IN ${newestRows}`, searchCondition))
            .orderBy(...newest)
            .limit(sql.placeholder('limit')),
        );
      }),
    tail: (f: SearchFilter, after: boolean) =>
      rows.get(`tail|${f.shape}|${after}`, () =>
        rowsOf(
          orm,
          orm
            .select(asFragments(eventColumns))
            .from(unindexedEvents)
            .where(and(aboveMark, filtered(f, after), searchCondition))
            .orderBy(...newest)
            .limit(sql.placeholder('limit')),
        ),
      ),
  };
}

/** The counts of the reader that name no bucket: one per filter shape, prepared on first use. */
function fixedCounts(orm: Orm) {
  const counts = createShapeCache<CountStatement>();
  return {
    /** How many of the newest `window` rows pass the filters. */
    windowSeen: (f: SearchFilter, after: boolean) =>
      counts.get(`seen|${f.shape}|${after}`, () => {
        const seen = orm
          .select({ one: sql`1`.as('one') })
          .from(events)
          .where(filtered(f, after))
          .orderBy(...newest)
          .limit(sql.placeholder('window'))
          .as('seen');
        return prepareCount(orm, orm.select({ n: count() }).from(seen));
      }),
    scanCount: (f: SearchFilter) =>
      counts.get(`scan|${f.shape}`, () =>
        prepareCount(orm, orm.select({ n: count() }).from(events).where(and(f.where, searchCondition))),
      ),
    tailCount: (f: SearchFilter) =>
      counts.get(`tail|${f.shape}`, () =>
        prepareCount(
          orm,
          orm
            .select({ n: count() })
            .from(unindexedEvents)
            .where(and(aboveMark, f.where, searchCondition)),
        ),
      ),
  };
}

/** The statements naming buckets: forgotten whenever the bucket set changes (a dropped table fails). */
function bucketStatements(orm: Orm) {
  const rows = createShapeCache<RowsStatement>();
  const counts = createShapeCache<CountStatement>();
  const all = orm
    .select(bucketColumns)
    .from(searchBuckets)
    .orderBy(desc(searchBuckets.maxReceivedAt), desc(searchBuckets.id))
    .prepare();
  let bucketSet = '';
  return {
    /** Every bucket, newest first; resets the statements when the set changed. */
    buckets(): BucketRow[] {
      const buckets = all.all();
      const key = buckets.map((b) => b.id).join(',');
      if (key !== bucketSet) {
        rows.clear();
        counts.clear();
        bucketSet = key;
      }
      return buckets;
    },
    /** The candidates of bucket `id`, confirmed by the filters and LIKE. */
    hits: (id: number, f: SearchFilter, after: boolean) =>
      rows.get(`${id}|${f.shape}|${after}`, () =>
        rowsOf(
          orm,
          orm
            .select(eventColumns)
            .from(events)
            .where(and(sql`${rowid} IN (${matchIn(id)})`, atOrBelowMark, filtered(f, after), searchCondition))
            .orderBy(...newest)
            .limit(sql.placeholder('limit')),
        ),
      ),
    /** The count of the candidates of `ids`, confirmed by the filters and LIKE. */
    count: (ids: number[], f: SearchFilter) =>
      counts.get(`${ids.join(',')}|${f.shape}`, () => {
        const union = sql.join(
          ids.map((id) => matchIn(id)),
          sql` UNION ALL `,
        );
        return prepareCount(
          orm,
          orm
            .select({ n: count() })
            .from(events)
            .where(and(sql`${rowid} IN (${union})`, atOrBelowMark, f.where, searchCondition)),
        );
      }),
  };
}

/** The buckets that may hold a row of the range, newest first. */
function inRange(buckets: BucketRow[], filter: SearchFilter, afterAtMs: number | null): BucketRow[] {
  return buckets.filter(
    (b) =>
      b.rowCount > 0 &&
      b.maxReceivedAt !== null &&
      b.minReceivedAt !== null &&
      b.maxReceivedAt >= filter.fromMs &&
      (filter.untilMs === null || b.minReceivedAt < filter.untilMs) &&
      (afterAtMs === null || b.minReceivedAt <= afterAtMs),
  );
}

/** What the reader's steps share: the connection and its statements. */
interface ReaderParts {
  db: Database.Database;
  fixed: ReturnType<typeof fixedStatements> & ReturnType<typeof fixedCounts>;
  bucketed: ReturnType<typeof bucketStatements>;
}

/** LIKE over the newest `windowRows` rows passing the other filters: the hits and whether that was all. */
function scanWindow(
  { fixed }: ReaderParts,
  filter: SearchFilter,
  after: boolean,
  params: Params,
  windowRows: number,
): { rows: StoredEvent[]; complete: boolean } {
  const rows = fixed.window(filter, after).all({ ...params, window: windowRows });
  const seen = fixed.windowSeen(filter, after)({ ...params, window: windowRows });
  return { rows, complete: seen < windowRows };
}

/** Rare term: the unindexed tail by LIKE, then each bucket's candidates until none can beat the page. */
function fromIndex(
  { db, fixed, bucketed }: ReaderParts,
  filter: SearchFilter,
  first: number,
  after: Keyset | null,
  params: Params,
): StoredEvent[] {
  const withMark = { ...params, mark: searchIndexedRowid(db) };
  let collected = fixed.tail(filter, after !== null).all(withMark);
  for (const bucket of inRange(bucketed.buckets(), filter, after?.atMs ?? null)) {
    const last = collected[first];
    if (last && bucket.maxReceivedAt !== null && last.receivedAtMs > bucket.maxReceivedAt) break;
    const hits = bucketed.hits(bucket.id, filter, after !== null).all(withMark);
    if (hits.length === 0) continue;
    const byId = new Map(collected.map((row) => [row.id, row]));
    for (const row of hits) byId.set(row.id, row);
    collected = [...byId.values()].sort(newestFirst).slice(0, first + 1);
  }
  return collected;
}

/** {@link SearchReader.list}. */
function listMatches(
  parts: ReaderParts,
  filter: SearchFilter,
  first: number,
  after: Keyset | null,
): StoredEvent[] {
  const match = trigramQuery(filter.term);
  const params: Params = { ...filter.params, limit: first + 1, ...keysetParams(after) };
  if (match === null) return parts.fixed.scan(filter, after !== null).all(params);
  return parts.db.transaction((): StoredEvent[] => {
    // A common term fills the page within the newest rows: no index work at all.
    const probe = scanWindow(parts, filter, after !== null, params, PROBE_ROWS);
    if (probe.rows.length > first || probe.complete) return probe.rows;
    if (probe.rows.length >= 4) {
      const windowRows = Math.min(
        MAX_SCAN_ROWS,
        Math.ceil(((first + 1) * PROBE_ROWS * 1.5) / probe.rows.length),
      );
      const wide = scanWindow(parts, filter, after !== null, params, windowRows);
      if (wide.rows.length > first || wide.complete) return wide.rows;
    }
    // One read transaction: the mark and the buckets agree.
    return fromIndex(parts, filter, first, after, { ...params, match });
  })();
}

/** {@link SearchReader.count}. */
function countMatches(parts: ReaderParts, filter: SearchFilter): number {
  const { db, fixed, bucketed } = parts;
  const match = trigramQuery(filter.term);
  const scanCount = (): number => fixed.scanCount(filter)(filter.params);
  if (match === null) return scanCount();
  return db.transaction((): number => {
    const probe = scanWindow(parts, filter, false, { ...filter.params, limit: PROBE_ROWS }, PROBE_ROWS);
    // Few rows pass the other filters, or the term is in a quarter of them or more: a scan is as
    // cheap as confirming that many candidates (an exact count of a common term costs its matches).
    if (probe.complete || probe.rows.length >= PROBE_ROWS / 4) return scanCount();
    const params = { ...filter.params, mark: searchIndexedRowid(db), match };
    // The unindexed tail by LIKE (a rowid range: NOT INDEXED keeps the planner off the time indexes).
    const tail = fixed.tailCount(filter)(params);
    const buckets = inRange(bucketed.buckets(), filter, null);
    if (buckets.length === 0) return tail;
    // rowid <= mark: a row both in the tail and (by a stale entry of a reused rowid) in a bucket
    // is counted once.
    const ids = buckets.map((b) => b.id);
    return tail + bucketed.count(ids, filter)(params);
  })();
}

/** Creates the reader over `db`. Statements naming a bucket are kept until the bucket set changes. */
export function createSearchReader(db: Database.Database): SearchReader {
  const orm = ormOf(db);
  const parts: ReaderParts = {
    db,
    fixed: { ...fixedStatements(orm), ...fixedCounts(orm) },
    bucketed: bucketStatements(orm),
  };
  return {
    list: (filter, first, after) => listMatches(parts, filter, first, after),
    count: (filter) => countMatches(parts, filter),
  };
}
