import type Database from 'better-sqlite3';

// Free-text search (`EventQuery.search`: an ASCII case-insensitive substring of the raw body) over
// time-bucketed trigram indexes. Each bucket is a contentless FTS5 table `events_search_<id>` fed by an
// insert trigger (rowid = events.rowid); rows are never deleted from it: a bucket is dropped whole once
// no stored event can be in it, so a purge or an eviction never touches the index row by row (deleting
// from one big trigram table cost 0.1-8 s per purge batch, migration 0003). Stale entries (purged,
// evicted, or a reused rowid) are harmless: every candidate is joined to `events` by rowid and confirmed
// with the exact LIKE and the other filters, so results always equal a full scan's.

/** A bucket stops taking rows at this many (its DROP then stays short: ~12 ms measured for 50,000). */
export const SEARCH_BUCKET_MAX_ROWS = 50_000;
/** ...or once it spans this much received time, so that a quiet week still drops in steps. */
export const SEARCH_BUCKET_MAX_SPAN_MS = 6 * 3_600_000;
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

/**
 * The statements that create bucket `id` and point the triggers at it. Migration 0004 holds the same
 * text for its buckets. UPDATE OF raw/received_at (events are immutable, but should one change) indexes
 * the new body in the current bucket too; its old entry just becomes stale.
 */
export function searchBucketSql(id: number): string[] {
  const table = searchTableName(id);
  const body = `INSERT INTO \`${table}\` (rowid, body) VALUES (new.rowid, CAST(new.raw AS TEXT));
  UPDATE \`search_buckets\` SET row_count = row_count + 1,
    min_received_at = min(coalesce(min_received_at, new.received_at), new.received_at),
    max_received_at = max(coalesce(max_received_at, new.received_at), new.received_at)
    WHERE id = ${Math.trunc(id)};`;
  return [
    `CREATE VIRTUAL TABLE \`${table}\` USING fts5(body, content='', tokenize='trigram', detail=none, columnsize=0)`,
    'DROP TRIGGER IF EXISTS `events_search_insert`',
    'DROP TRIGGER IF EXISTS `events_search_update`',
    `CREATE TRIGGER \`events_search_insert\` AFTER INSERT ON \`events\` BEGIN
  ${body}
END`,
    `CREATE TRIGGER \`events_search_update\` AFTER UPDATE OF raw, received_at ON \`events\` BEGIN
  ${body}
END`,
  ];
}

interface BucketRow {
  id: number;
  row_count: number;
  min_received_at: number | null;
  max_received_at: number | null;
}

/** Starts a new current bucket (inside the caller's transaction). */
function startBucket(db: Database.Database): number {
  const id = Number(db.prepare('INSERT INTO search_buckets (row_count) VALUES (0)').run().lastInsertRowid);
  for (const statement of searchBucketSql(id)) db.exec(statement);
  return id;
}

/**
 * Called at the end of each write transaction that inserted events: starts a new bucket when the
 * current one is full (rows or time span). One primary-key read per commit; the rotation itself (a
 * CREATE VIRTUAL TABLE and two triggers) happens once per {@link SEARCH_BUCKET_MAX_ROWS} rows at most.
 */
export function rotateSearchBucketIfDue(db: Database.Database, receivedAtMs: number): boolean {
  const current = db
    .prepare('SELECT id, row_count, min_received_at FROM search_buckets ORDER BY id DESC LIMIT 1')
    .get() as BucketRow | undefined;
  if (
    current &&
    current.row_count < SEARCH_BUCKET_MAX_ROWS &&
    (current.min_received_at === null || receivedAtMs - current.min_received_at < SEARCH_BUCKET_MAX_SPAN_MS)
  )
    return false;
  startBucket(db);
  return true;
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
    const currentId = oldest === null && current.row_count > 0 ? startBucket(db) : current.id;
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
 * Rebuilds every bucket from the stored events, cutting buckets as live inserts would (by rows and
 * span, in rowid order). For bulk loads that dropped the triggers (the bench seeder); slow (~30 µs a row).
 */
export function rebuildSearchIndex(db: Database.Database): void {
  db.transaction(() => {
    const old = db.prepare('SELECT id FROM search_buckets').all() as { id: number }[];
    for (const { id } of old) db.exec(`DROP TABLE IF EXISTS \`${searchTableName(id)}\``);
    db.exec('DELETE FROM search_buckets');
    let id = startBucket(db);
    let rows = 0;
    let firstAt: number | null = null;
    let fromRowid: number | null = null;
    const fill = (bucket: number, from: number, to: number): void => {
      db.prepare(
        `INSERT INTO \`${searchTableName(bucket)}\` (rowid, body) SELECT rowid, CAST(raw AS TEXT) FROM events WHERE rowid >= ? AND rowid <= ?`,
      ).run(from, to);
      db.prepare(
        `UPDATE search_buckets SET (row_count, min_received_at, max_received_at) =
           (SELECT count(*), min(received_at), max(received_at) FROM events WHERE rowid >= ? AND rowid <= ?)
         WHERE id = ?`,
      ).run(from, to, bucket);
    };
    let lastRowid = 0;
    // All read first: the connection cannot write while a statement iterates (16 bytes a row).
    const all = db.prepare('SELECT rowid AS r, received_at AS at FROM events ORDER BY rowid').all() as {
      r: number;
      at: number;
    }[];
    for (const row of all) {
      if (
        fromRowid !== null &&
        firstAt !== null &&
        (rows >= SEARCH_BUCKET_MAX_ROWS || row.at - firstAt >= SEARCH_BUCKET_MAX_SPAN_MS)
      ) {
        fill(id, fromRowid, lastRowid);
        id = startBucket(db);
        rows = 0;
        fromRowid = null;
      }
      if (fromRowid === null) {
        fromRowid = row.r;
        firstAt = row.at;
      }
      rows += 1;
      lastRowid = row.r;
    }
    if (fromRowid !== null) fill(id, fromRowid, lastRowid);
  })();
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
  const statements = new Map<string, Database.Statement>();
  let bucketSet = '';
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const likeSql = "CAST(raw AS TEXT) LIKE @like ESCAPE '\\'";

  /** Buckets that may hold a row of the range, newest first; resets the cache when the set changed. */
  const bucketsFor = (filter: SearchFilter, afterAtMs: number | null): BucketRow[] => {
    const all = prepare(
      'SELECT id, row_count, min_received_at, max_received_at FROM search_buckets ORDER BY max_received_at DESC, id DESC',
    ).all() as BucketRow[];
    const key = all.map((b) => b.id).join(',');
    if (key !== bucketSet) {
      // A dropped bucket's statements would fail: keep only the fixed ones.
      for (const sql of [...statements.keys()]) if (sql.includes('events_search_')) statements.delete(sql);
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
        // Rare term: candidates from each bucket, newest first, until no older bucket can beat the page.
        let collected: R[] = [];
        for (const bucket of bucketsFor(filter, after?.atMs ?? null)) {
          const last = collected[first];
          if (last && bucket.max_received_at !== null && last.received_at > bucket.max_received_at) break;
          const table = searchTableName(bucket.id);
          const hits = prepare(
            `SELECT * FROM events WHERE rowid IN (SELECT rowid FROM \`${table}\` WHERE \`${table}\` MATCH @match)
               AND ${filter.sql}${keyset} AND ${likeSql} ORDER BY received_at DESC, id DESC LIMIT @limit`,
          ).all({ ...params, match }) as R[];
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
        const buckets = bucketsFor(filter, null);
        if (buckets.length === 0) return 0;
        const union = buckets
          .map(
            (b) =>
              `SELECT rowid FROM \`${searchTableName(b.id)}\` WHERE \`${searchTableName(b.id)}\` MATCH @match`,
          )
          .join(' UNION ALL ');
        return (
          prepare(
            `SELECT count(*) AS n FROM events WHERE rowid IN (${union}) AND ${filter.sql} AND ${likeSql}`,
          ).get({
            ...params,
            match,
          }) as { n: number }
        ).n;
      })();
    },
  };
}

function keysetParams(params: Record<string, string | number>): Record<string, string | number> {
  return params.afterAt === undefined ? {} : { afterAt: params.afterAt, afterId: params.afterId ?? '' };
}
