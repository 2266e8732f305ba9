import type Database from 'better-sqlite3';
import { createStatementCache } from './statements.js';

// Free-text search (`EventQuery.search`: an ASCII case-insensitive substring of the raw body) over
// time-bucketed trigram indexes. Each bucket is a contentless FTS5 table `events_search_<id>`
// (rowid = events.rowid); rows are never deleted from it: a bucket is dropped whole once no stored event
// can be in it, so a purge or an eviction never touches the index row by row (deleting from one big
// trigram table cost 0.1-8 s per purge batch, migration 0003). Stale entries (purged, evicted, or a
// reused rowid) are harmless: every candidate is joined to `events` by rowid and confirmed with the
// exact LIKE and the other filters, so results always equal a full scan's.
//
// Rows are not indexed by the ingest commit (an insert trigger cost ~30-90 µs of CPU per row inside the
// group commit, and FTS5 wrote one small segment per commit: ingest fell from ~7,200 to ~1,300 req/s).
// A separate step, {@link indexSearchStep}, indexes the rows above a high-water mark
// (`search_state.indexed_rowid`) in large batches, in a transaction of its own. Queries LIKE-scan the
// rows above the mark (the unindexed tail, normally a second of ingest or less) besides the buckets.

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

/** The statement that creates bucket `id`'s table. */
export function searchBucketSql(id: number): string {
  return `CREATE VIRTUAL TABLE \`${searchTableName(id)}\` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0)`;
}

interface BucketRow {
  id: number;
  row_count: number;
  min_received_at: number | null;
  max_received_at: number | null;
}

/** Starts a new current bucket (inside the caller's transaction). */
function startBucket(db: Database.Database): BucketRow {
  const id = Number(db.prepare('INSERT INTO search_buckets (row_count) VALUES (0)').run().lastInsertRowid);
  db.exec(searchBucketSql(id));
  return { id, row_count: 0, min_received_at: null, max_received_at: null };
}

/** The last events.rowid indexed: every stored row at or below it is in a bucket. */
export function searchIndexedRowid(db: Database.Database): number {
  const row = db.prepare('SELECT indexed_rowid AS r FROM search_state WHERE id = 1').get() as
    { r: number } | undefined;
  return row?.r ?? 0;
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
  db.prepare(
    `UPDATE search_state SET indexed_rowid = (SELECT coalesce(max(rowid), 0) FROM events)
     WHERE id = 1 AND indexed_rowid > (SELECT coalesce(max(rowid), 0) FROM events)`,
  ).run();
}

/** What one indexing step did. */
export interface SearchIndexStep {
  /** Rows indexed. */
  rows: number;
  /** True when no row above the mark is left (as of this step's transaction). */
  done: boolean;
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
  return db.transaction((): SearchIndexStep => {
    const started = performance.now();
    let mark = searchIndexedRowid(db);
    let bucket =
      (db
        .prepare(
          'SELECT id, row_count, min_received_at, max_received_at FROM search_buckets ORDER BY id DESC LIMIT 1',
        )
        .get() as BucketRow | undefined) ?? startBucket(db);
    const next = db.prepare(
      'SELECT rowid AS r, received_at AS at FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?',
    );
    const updateBucket = db.prepare(
      'UPDATE search_buckets SET row_count = ?, min_received_at = ?, max_received_at = ? WHERE id = ?',
    );
    let rows = 0;
    let done = false;
    /** Indexes rowids (mark, to] into the current bucket, whose figures are already updated. */
    const fill = (to: number): void => {
      db.prepare(
        `INSERT INTO \`${searchTableName(bucket.id)}\` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM events WHERE rowid > ? AND rowid <= ?`,
      ).run(mark, to);
      updateBucket.run(bucket.row_count, bucket.min_received_at, bucket.max_received_at, bucket.id);
      mark = to;
    };
    for (;;) {
      const chunkRows = Math.min(SEARCH_INDEX_CHUNK_ROWS, maxRows - rows);
      // All read first: the connection cannot write while a statement iterates (16 bytes a row).
      const chunk = next.all(mark, chunkRows) as { r: number; at: number }[];
      let last: number | null = null;
      for (const row of chunk) {
        const full =
          bucket.row_count >= SEARCH_BUCKET_MAX_ROWS ||
          (bucket.min_received_at !== null && row.at - bucket.min_received_at >= SEARCH_BUCKET_MAX_SPAN_MS);
        if (full) {
          if (last !== null) fill(last);
          bucket = startBucket(db);
        }
        bucket.row_count += 1;
        bucket.min_received_at = Math.min(bucket.min_received_at ?? row.at, row.at);
        bucket.max_received_at = Math.max(bucket.max_received_at ?? row.at, row.at);
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
    db.prepare('UPDATE search_state SET indexed_rowid = ? WHERE id = 1').run(mark);
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
  return db.transaction((): boolean => {
    const oldest = (db.prepare('SELECT min(received_at) AS at FROM events').get() as { at: number | null })
      .at;
    const buckets = db
      .prepare('SELECT id, row_count, min_received_at, max_received_at FROM search_buckets ORDER BY id')
      .all() as BucketRow[];
    const current = buckets.at(-1);
    if (!current) return false;
    // An empty table leaves only stale entries in the current bucket: start afresh so it can go too.
    const currentId = oldest === null && current.row_count > 0 ? startBucket(db).id : current.id;
    const stale = buckets.find(
      (b) =>
        b.id !== currentId && (oldest === null || b.max_received_at === null || b.max_received_at < oldest),
    );
    if (!stale) return false;
    db.exec(`DROP TABLE IF EXISTS \`${searchTableName(stale.id)}\``);
    db.prepare('DELETE FROM search_buckets WHERE id = ?').run(stale.id);
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

/** The filters other than `search`, as built by the store: SQL over `events` and its parameters. */
export interface SearchFilter {
  /** WHERE clauses over events without the search term (cut-off, action, type, id, since/until). */
  sql: string;
  params: Record<string, string | number>;
  /** The LIKE pattern of the term (escaped, %term%), bound as @like. */
  like: string;
  /** The term itself. */
  term: string;
  /** Lowest received_at a row can have to pass (max of cut-off and since). */
  fromMs: number;
  /** received_at must be below this (until), or null. */
  untilMs: number | null;
}

/** A row with at least the keyset columns. */
export interface KeyedRow {
  id: string;
  received_at: number;
}

const newestFirst = (a: KeyedRow, b: KeyedRow): number =>
  b.received_at - a.received_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Query side of the search index: lists and counts equal to a LIKE scan's, without the scan. */
export interface SearchReader {
  list<R extends KeyedRow>(
    filter: SearchFilter,
    first: number,
    after: { atMs: number; id: string } | null,
  ): R[];
  count(filter: SearchFilter): number;
}

/** Creates the reader over `db`. Statements naming a bucket are cached until the bucket set changes. */
export function createSearchReader(db: Database.Database): SearchReader {
  const statements = createStatementCache(db);
  const prepare = statements.prepare;
  let bucketSet = '';
  const likeSql = "CAST(raw AS TEXT) LIKE @like ESCAPE '\\'";

  /** Buckets that may hold a row of the range, newest first; resets the cache when the set changed. */
  const bucketsFor = (filter: SearchFilter, afterAtMs: number | null): BucketRow[] => {
    const all = prepare(
      'SELECT id, row_count, min_received_at, max_received_at FROM search_buckets ORDER BY max_received_at DESC, id DESC',
    ).all() as BucketRow[];
    const key = all.map((b) => b.id).join(',');
    if (key !== bucketSet) {
      // A dropped bucket's statements would fail: keep only the fixed ones.
      statements.forget((sql) => sql.includes('events_search_'));
      bucketSet = key;
    }
    return all.filter(
      (b) =>
        b.row_count > 0 &&
        b.max_received_at !== null &&
        b.min_received_at !== null &&
        b.max_received_at >= filter.fromMs &&
        (filter.untilMs === null || b.min_received_at < filter.untilMs) &&
        (afterAtMs === null || b.min_received_at <= afterAtMs),
    );
  };

  /** LIKE over the newest `windowRows` rows passing the other filters: the hits and whether that was all. */
  const scanWindow = <R>(
    filter: SearchFilter,
    keyset: string,
    params: Record<string, string | number>,
    windowRows: number,
  ): { rows: R[]; complete: boolean } => {
    const rows = prepare(
      `SELECT * FROM events WHERE rowid IN (SELECT rowid FROM events WHERE ${filter.sql}${keyset}
         ORDER BY received_at DESC, id DESC LIMIT @window) AND ${likeSql}
       ORDER BY received_at DESC, id DESC LIMIT @limit`,
    ).all({ ...params, window: windowRows }) as R[];
    const seen = (
      prepare(
        `SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ${filter.sql}${keyset} ORDER BY received_at DESC, id DESC LIMIT @window)`,
      ).get({ ...filter.params, ...keysetParams(params), window: windowRows }) as { n: number }
    ).n;
    return { rows, complete: seen < windowRows };
  };

  return {
    list<R extends KeyedRow>(
      filter: SearchFilter,
      first: number,
      after: { atMs: number; id: string } | null,
    ): R[] {
      const match = trigramQuery(filter.term);
      const keyset = after ? ' AND (received_at, id) < (@afterAt, @afterId)' : '';
      const params: Record<string, string | number> = {
        ...filter.params,
        like: filter.like,
        limit: first + 1,
        ...(after ? { afterAt: after.atMs, afterId: after.id } : {}),
      };
      if (match === null)
        return prepare(
          `SELECT * FROM events WHERE ${filter.sql}${keyset} AND ${likeSql} ORDER BY received_at DESC, id DESC LIMIT @limit`,
        ).all(params) as R[];
      return db.transaction((): R[] => {
        // A common term fills the page within the newest rows: no index work at all.
        const probe = scanWindow<R>(filter, keyset, params, PROBE_ROWS);
        if (probe.rows.length > first || probe.complete) return probe.rows;
        if (probe.rows.length >= 4) {
          const windowRows = Math.min(
            MAX_SCAN_ROWS,
            Math.ceil(((first + 1) * PROBE_ROWS * 1.5) / probe.rows.length),
          );
          const wide = scanWindow<R>(filter, keyset, params, windowRows);
          if (wide.rows.length > first || wide.complete) return wide.rows;
        }
        // Rare term: the unindexed tail by LIKE, then candidates from each bucket, newest first, until
        // no older bucket can beat the page. One read transaction: the mark and the buckets agree.
        const mark = searchIndexedRowid(db);
        let collected = prepare(
          `SELECT * FROM events NOT INDEXED WHERE rowid > @mark AND ${filter.sql}${keyset} AND ${likeSql}
           ORDER BY received_at DESC, id DESC LIMIT @limit`,
        ).all({ ...params, mark }) as R[];
        for (const bucket of bucketsFor(filter, after?.atMs ?? null)) {
          const last = collected[first];
          if (last && bucket.max_received_at !== null && last.received_at > bucket.max_received_at) break;
          const table = searchTableName(bucket.id);
          // rowid <= mark: a stale entry of a reused rowid above the mark is the tail's to find.
          const hits = prepare(
            `SELECT * FROM events WHERE rowid IN (SELECT rowid FROM \`${table}\` WHERE \`${table}\` MATCH @match)
               AND rowid <= @mark AND ${filter.sql}${keyset} AND ${likeSql} ORDER BY received_at DESC, id DESC LIMIT @limit`,
          ).all({ ...params, match, mark }) as R[];
          if (hits.length === 0) continue;
          const byId = new Map(collected.map((row) => [row.id, row]));
          for (const row of hits) byId.set(row.id, row);
          collected = [...byId.values()].sort(newestFirst).slice(0, first + 1);
        }
        return collected;
      })();
    },
    count(filter: SearchFilter): number {
      const match = trigramQuery(filter.term);
      const params = { ...filter.params, like: filter.like };
      const scanCount = (): number =>
        (
          prepare(`SELECT count(*) AS n FROM events WHERE ${filter.sql} AND ${likeSql}`).get(params) as {
            n: number;
          }
        ).n;
      if (match === null) return scanCount();
      return db.transaction((): number => {
        const probe = scanWindow<KeyedRow>(filter, '', { ...params, limit: PROBE_ROWS }, PROBE_ROWS);
        // Few rows pass the other filters, or the term is in a quarter of them or more: a scan is as
        // cheap as confirming that many candidates (an exact count of a common term costs its matches).
        if (probe.complete || probe.rows.length >= PROBE_ROWS / 4) return scanCount();
        const mark = searchIndexedRowid(db);
        // The unindexed tail by LIKE (a rowid range: NOT INDEXED keeps the planner off the time indexes).
        const tail = (
          prepare(
            `SELECT count(*) AS n FROM events NOT INDEXED WHERE rowid > @mark AND ${filter.sql} AND ${likeSql}`,
          ).get({ ...params, mark }) as { n: number }
        ).n;
        const buckets = bucketsFor(filter, null);
        if (buckets.length === 0) return tail;
        const union = buckets
          .map(
            (b) =>
              `SELECT rowid FROM \`${searchTableName(b.id)}\` WHERE \`${searchTableName(b.id)}\` MATCH @match`,
          )
          .join(' UNION ALL ');
        // rowid <= mark: a row both in the tail and (by a stale entry of a reused rowid) in a bucket
        // is counted once.
        return (
          tail +
          (
            prepare(
              `SELECT count(*) AS n FROM events WHERE rowid IN (${union}) AND rowid <= @mark AND ${filter.sql} AND ${likeSql}`,
            ).get({ ...params, match, mark }) as { n: number }
          ).n
        );
      })();
    },
  };
}

function keysetParams(params: Record<string, string | number>): Record<string, string | number> {
  return params.afterAt === undefined ? {} : { afterAt: params.afterAt, afterId: params.afterId ?? '' };
}
