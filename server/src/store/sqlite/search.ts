import type Database from 'better-sqlite3';
import { and, asc, count, desc, eq, gt, min, sql, type SQL } from 'drizzle-orm';
import { boundedCount } from '../bounded-count.js';
import type { BoundedCount, Keyset, StoredEvent } from '../types.js';
import {
  keyset,
  keysetParams,
  searchCondition,
  searchConditionOn,
  type Params,
  type SearchFilter,
} from './filters.js';
import { createShapeCache, ormOf, prepareCount, prepareIterate, prepareRows, type Orm } from './orm.js';
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
/**
 * Trigrams a query over several buckets keeps: the rarest in the newest of them. Any subset of a term's
 * trigrams finds a superset of its rows (LIKE confirms each), and every trigram costs each bucket a
 * lookup and a read of its doclist, which for a common one (`ish`, `nam`) is most of the MATCH.
 */
const QUERY_TRIGRAMS = 3;
/** A trigram's rows in the sampled bucket are counted up to this (past it, it is common enough). */
const SAMPLE_ROWS = 256;
/**
 * Pages of FTS5 merge work per `merge` command on a closed bucket (its segments into one b-tree), the
 * step's time budget checked between commands.
 */
const SEARCH_MERGE_PAGES = 64;
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
  /**
   * True when no row above the mark is left (as of this step's transaction) and every closed bucket
   * is merged into one b-tree.
   */
  done: boolean;
}

const mergedBuckets = new WeakMap<Database.Database, Set<number>>();
const totalChanges = new WeakMap<Database.Database, () => number>();

/**
 * Merges the segments of each closed bucket (every one but the current) into one b-tree, with FTS5's
 * incremental `merge` command, until `deadline` (performance.now() ms; one command per bucket at least);
 * inside the caller's transaction.
 * A query costs each bucket one lookup per segment for each trigram, and a bucket filled step by step
 * holds several segments, so a merged bucket answers several times faster (docs/performance.md, Design
 * choices, search); a closed bucket never changes again, so it is merged once. Returns whether every
 * closed bucket is merged. Which are is remembered per connection (after a reopen, one `merge` command
 * that changes nothing tells each again). Raw: FTS5's special INSERT.
 */
function mergeClosedBuckets(db: Database.Database, deadline: number): boolean {
  let merged = mergedBuckets.get(db);
  let changes = totalChanges.get(db);
  if (!merged || !changes) {
    merged = new Set();
    mergedBuckets.set(db, merged);
    const statement = db.prepare('SELECT total_changes()').pluck();
    changes = () => statement.get() as number;
    totalChanges.set(db, changes);
  }
  const closed = ormOf(db)
    .select({ id: searchBuckets.id })
    .from(searchBuckets)
    .orderBy(desc(searchBuckets.id))
    .all()
    .slice(1);
  for (const { id } of closed) {
    if (merged.has(id)) continue;
    const table = `\`${searchTableName(id)}\``;
    const merge = db.prepare(`INSERT INTO ${table}(${table}, rank) VALUES('merge', ${-SEARCH_MERGE_PAGES})`);
    for (;;) {
      const before = changes();
      merge.run();
      // FTS5: fewer than two changes means there was nothing left to merge.
      if (changes() - before < 2) {
        merged.add(id);
        break;
      }
      if (performance.now() >= deadline) return false;
    }
  }
  return true;
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
 * bucket when the current one is full (rows or time span); with the time left once no row is, merges
 * the closed buckets' segments ({@link mergeClosedBuckets}). Self-contained: it runs wherever the write
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
    // With what is left of the step: the closed buckets' segments (the mark is saved either way).
    if (done) done = mergeClosedBuckets(db, started + maxMs);
    return { rows, done };
  })();
}

/**
 * {@link indexSearchStep} with its commit not fsynced (`synchronous=NORMAL` for that transaction, then
 * the connection's setting again): the index can be rebuilt from `events`, the mark and the segments
 * commit together, and the next FULL commit syncs these WAL frames too. What the server runs.
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
 * The trigrams of `term` (up to {@link MAX_TRIGRAMS}), each quoted for FTS5, to be ANDed (detail=none
 * has no phrases); or null when the index cannot answer: fewer than 3 characters, or a NUL (LIKE reads
 * the pattern only up to it).
 */
function searchTrigrams(term: string): string[] | null {
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
  return picked.map((t) => `"${t.replace(/"/g, '""')}"`);
}

const newestFirst = (a: StoredEvent, b: StoredEvent): number =>
  b.receivedAtMs - a.receivedAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Query side of the search index: lists and counts equal to a LIKE scan's, without the scan. */
export interface SearchReader {
  list(filter: SearchFilter, first: number, after: { atMs: number; id: string } | null): StoredEvent[];
  count(filter: SearchFilter): number;
  /** {@link EventReader.countEventsAtMost} of a search: see {@link countMatchesAtMost}. */
  countAtMost(filter: SearchFilter, atMost: number): BoundedCount;
}

/**
 * Newest rows a bounded count LIKE-scans at most, per match it may stop at. A term found in a quarter or
 * more of the probe's rows is counted by this scan (one SQL statement, cheap per row), so at that
 * density it reaches the bound within it.
 */
const SCAN_ROWS_PER_MATCH = 4;
/**
 * Index candidates a bounded count confirms at most, per match it may stop at (each read into
 * JavaScript, about 3 times a scanned row's cost): a term whose candidates are mostly false positives
 * (its trigrams common, itself rare) stops there with a lower bound, in bounded time.
 */
const CANDIDATE_ROWS_PER_MATCH = 2;
/** ...and at least this many, so that a small bound still counts a selective filter's rows exactly. */
export const COUNT_MIN_ROWS = 1_024;

/** A prepared statement of event rows. */
interface RowsStatement {
  all(params: Params): StoredEvent[];
}

/** A prepared count. */
type CountStatement = (params: Params) => number;

/** A prepared select read row by row (raw values). */
type IterateStatement = (params: Params) => IterableIterator<unknown[]>;

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
    /**
     * How many of the newest `window` rows passing the filters match, counted up to `hits`: SQL stops
     * at either bound (the window is a co-routine under the LIKE).
     */
    windowHits: (f: SearchFilter) =>
      counts.get(`hits|${f.shape}`, () => {
        const window = orm
          .select({ raw: events.raw })
          .from(events)
          .where(f.where)
          .orderBy(...newest)
          .limit(sql.placeholder('window'))
          .as('window');
        const matching = orm
          .select({ one: sql`1`.as('one') })
          .from(window)
          .where(searchConditionOn(window.raw))
          .limit(sql.placeholder('hits'))
          .as('matching');
        return prepareCount(orm, orm.select({ n: count() }).from(matching));
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
  const iterators = createShapeCache<IterateStatement>();
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
        iterators.clear();
        bucketSet = key;
      }
      return buckets;
    },
    /** How many rows of bucket `id` MATCH `match`, counted up to `limit` (raw: FTS5). */
    sample: (id: number) =>
      counts.get(`sample|${id}`, () => {
        const table = sql.identifier(searchTableName(id));
        const matching = orm
          .select({ one: sql`1`.as('one') })
          .from(sql`${table}`)
          .where(sql`${table} MATCH ${sql.placeholder('match')}`)
          .limit(sql.placeholder('limit'))
          .as('matching');
        return prepareCount(orm, orm.select({ n: count() }).from(matching));
      }),
    /** The candidates of buckets `ids`, confirmed by the filters and LIKE. */
    hits: (ids: number[], f: SearchFilter, after: boolean) =>
      rows.get(`${ids.join(',')}|${f.shape}|${after}`, () =>
        rowsOf(
          orm,
          orm
            .select(eventColumns)
            .from(events)
            .where(
              and(
                sql`${rowid} IN (${sql.join(ids.map(matchIn), sql` UNION ALL `)})`,
                atOrBelowMark,
                filtered(f, after),
                searchCondition,
              ),
            )
            .orderBy(...newest)
            .limit(sql.placeholder('limit')),
        ),
      ),
    /**
     * Every candidate row once or more: the unindexed tail, then the index entries of `ids` at or below
     * the mark, each as [rowid, whether it passes the filters and LIKE], read as a stream (a UNION ALL
     * co-routine joined by rowid: no candidate set is built first), for a bounded count. Raw: FTS5,
     * rowid, NOT INDEXED.
     */
    candidates: (ids: number[], f: SearchFilter) =>
      iterators.get(`${ids.join(',')}|${f.shape}`, () => {
        const arms = [
          sql`SELECT ${rowid} AS r FROM ${unindexedEvents} WHERE ${aboveMark}`,
          ...ids.map((id) => {
            const table = sql.identifier(searchTableName(id));
            return sql`SELECT rowid AS r FROM ${table} WHERE ${table} MATCH ${sql.placeholder('match')} AND rowid <= ${sql.placeholder('mark')}`;
          }),
        ];
        return prepareIterate(
          orm,
          orm
            .select({ r: rowid, hit: sql<number>`${and(f.where, searchCondition)}` })
            // CROSS JOIN: the candidates drive, each looked up by rowid (SQLite keeps that order).
            .from(sql`(${sql.join(arms, sql` UNION ALL `)}) AS c CROSS JOIN ${events}`)
            .where(sql`${rowid} = c.r`),
        );
      }),
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

/**
 * The FTS5 query for `trigrams` over `buckets` (newest first): when there are more than
 * {@link QUERY_TRIGRAMS} of them and several buckets, the AND of the rarest in the newest bucket.
 */
function selectiveMatch(parts: ReaderParts, buckets: BucketRow[], trigrams: string[]): string {
  const [newestBucket] = buckets;
  if (trigrams.length <= QUERY_TRIGRAMS || buckets.length < 3 || !newestBucket) return trigrams.join(' AND ');
  const sample = parts.bucketed.sample(newestBucket.id);
  return trigrams
    .map((trigram, i) => ({ trigram, i, rows: sample({ match: trigram, limit: SAMPLE_ROWS }) }))
    .sort((a, b) => a.rows - b.rows || a.i - b.i)
    .slice(0, QUERY_TRIGRAMS)
    .map((t) => t.trigram)
    .join(' AND ');
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

/**
 * Rare term: the unindexed tail by LIKE, then the buckets' candidates, newest buckets first, until none
 * can beat the page: one statement for the newest bucket, then for the next 2, 4, 8…, so that a term
 * found in the newest buckets reads no others and a rare one (every bucket) costs a few statements,
 * not one per bucket.
 */
function fromIndex(
  parts: ReaderParts,
  filter: SearchFilter,
  first: number,
  after: Keyset | null,
  params: Params,
  trigrams: string[],
): StoredEvent[] {
  const { db, fixed, bucketed } = parts;
  const buckets = inRange(bucketed.buckets(), filter, after?.atMs ?? null);
  const withMark = {
    ...params,
    mark: searchIndexedRowid(db),
    match: selectiveMatch(parts, buckets, trigrams),
  };
  let collected = fixed.tail(filter, after !== null).all(withMark);
  for (let start = 0, size = 1; start < buckets.length; start += size, size *= 2) {
    const group = buckets.slice(start, start + size);
    // Newest first by maxReceivedAt: no row of this group or a later one is newer than its first.
    const newestAt = group[0]?.maxReceivedAt ?? null;
    const last = collected[first];
    if (last && newestAt !== null && last.receivedAtMs > newestAt) break;
    const hits = bucketed
      .hits(
        group.map((b) => b.id),
        filter,
        after !== null,
      )
      .all(withMark);
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
  const trigrams = searchTrigrams(filter.term);
  const params: Params = { ...filter.params, limit: first + 1, ...keysetParams(after) };
  if (trigrams === null) return parts.fixed.scan(filter, after !== null).all(params);
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
    return fromIndex(parts, filter, first, after, params, trigrams);
  })();
}

/** {@link SearchReader.count}. */
function countMatches(parts: ReaderParts, filter: SearchFilter): number {
  const { db, fixed, bucketed } = parts;
  const trigrams = searchTrigrams(filter.term);
  const scanCount = (): number => fixed.scanCount(filter)(filter.params);
  if (trigrams === null) return scanCount();
  return db.transaction((): number => {
    const probe = scanWindow(parts, filter, false, { ...filter.params, limit: PROBE_ROWS }, PROBE_ROWS);
    // Few rows pass the other filters, or the term is in a quarter of them or more: a scan is as
    // cheap as confirming that many candidates (an exact count of a common term costs its matches).
    if (probe.complete || probe.rows.length >= PROBE_ROWS / 4) return scanCount();
    const buckets = inRange(bucketed.buckets(), filter, null);
    const match = selectiveMatch(parts, buckets, trigrams);
    const params = { ...filter.params, mark: searchIndexedRowid(db), match };
    // The unindexed tail by LIKE (a rowid range: NOT INDEXED keeps the planner off the time indexes).
    const tail = fixed.tailCount(filter)(params);
    if (buckets.length === 0) return tail;
    // rowid <= mark: a row both in the tail and (by a stale entry of a reused rowid) in a bucket
    // is counted once.
    const ids = buckets.map((b) => b.id);
    return tail + bucketed.count(ids, filter)(params);
  })();
}

/** What a bounded count found: its matches (up to the bound + 1), and whether it saw every row. */
interface Tally {
  hits: number;
  complete: boolean;
}

/** A tally as the contract answers it: not exact when it did not see every row. */
function bounded({ hits, complete }: Tally, atMost: number): BoundedCount {
  const count = boundedCount(hits, atMost);
  return complete ? count : { ...count, exact: false };
}

/**
 * Counts the candidates of `rows` ([rowid, whether it matches]) until `atMost` + 1 matches or
 * `maxRows` distinct rowids (complete: the stream ended first); a rowid seen before is skipped (a row
 * can be in two buckets, by a stale entry and a live one).
 */
function tallyCandidates(rows: IterableIterator<unknown[]>, atMost: number, maxRows: number): Tally {
  const rowids = new Set<unknown>();
  let hits = 0;
  for (const [r, hit] of rows) {
    if (rowids.has(r)) continue;
    if (rowids.size === maxRows || hits > atMost) return { hits, complete: false };
    rowids.add(r);
    if (hit) hits += 1;
  }
  return { hits, complete: true };
}

/**
 * {@link SearchReader.countAtMost}: stops after `atMost` + 1 matches, or after confirming
 * {@link SCAN_ROWS_PER_MATCH} scanned rows or {@link CANDIDATE_ROWS_PER_MATCH} index candidates per
 * match asked for (at least {@link COUNT_MIN_ROWS}), so that its time is bounded whatever the term. First the newest rows passing the other filters, by LIKE, in
 * one statement: a common term reaches the bound there, and a selective filter runs out of rows
 * (exact). A term that is sparse in the first {@link PROBE_ROWS} of them goes to the index: every
 * candidate (the unindexed tail and the buckets' entries), confirmed by rowid. When that too stops at
 * the row bound and fewer rows than that pass the other filters, they are scanned (exact); otherwise
 * what the candidates found is a lower bound.
 */
function countMatchesAtMost(parts: ReaderParts, filter: SearchFilter, atMost: number): BoundedCount {
  const { db, fixed, bucketed } = parts;
  const scanRows = Math.max(COUNT_MIN_ROWS, SCAN_ROWS_PER_MATCH * (atMost + 1));
  const candidateRows = Math.max(COUNT_MIN_ROWS, CANDIDATE_ROWS_PER_MATCH * (atMost + 1));
  const scan = (windowRows: number): Tally => {
    const params = { ...filter.params, window: windowRows };
    const hits = fixed.windowHits(filter)({ ...params, hits: atMost + 1 });
    // Only when under the bound: did the window hold every row passing the filters?
    const complete = hits <= atMost && fixed.windowSeen(filter, false)(params) < windowRows;
    return { hits, complete };
  };
  const trigrams = searchTrigrams(filter.term);
  if (trigrams === null) return bounded(scan(scanRows + 1), atMost);
  return db.transaction((): BoundedCount => {
    const probe = scan(PROBE_ROWS);
    const sparse = !probe.complete && probe.hits < PROBE_ROWS / 4;
    if (!sparse) return bounded(probe.complete || probe.hits > atMost ? probe : scan(scanRows + 1), atMost);
    // One read transaction: the mark and the buckets agree.
    const buckets = inRange(bucketed.buckets(), filter, null);
    const match = selectiveMatch(parts, buckets, trigrams);
    const params = { ...filter.params, mark: searchIndexedRowid(db), match };
    const ids = buckets.map((b) => b.id);
    const indexed = tallyCandidates(bucketed.candidates(ids, filter)(params), atMost, candidateRows);
    if (indexed.complete || indexed.hits > atMost) return bounded(indexed, atMost);
    // A scan to the row bound can only help a filter that passes fewer rows (an index-only count).
    const passing = fixed.windowSeen(filter, false)({ ...filter.params, window: scanRows + 1 });
    if (passing > scanRows) return { value: indexed.hits, exact: false };
    return bounded(scan(scanRows + 1), atMost);
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
    countAtMost: (filter, atMost) => countMatchesAtMost(parts, filter, atMost),
  };
}
