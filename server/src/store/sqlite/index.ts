import type Database from 'better-sqlite3';
import type { Action, ValidationIssue } from '../../domain/types.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer.js';
import { openDatabase } from './open.js';
import { createStatementCache } from './statements.js';
import {
  clampSearchMark,
  createSearchReader,
  dropStaleSearchBucket,
  indexSearchStepUnsynced,
  type SearchFilter,
} from './search.js';
import type {
  EventQuery,
  InsertResult,
  Page,
  PurgeStep,
  Store,
  StoreStats,
  StoredEntity,
  StoredEvent,
  StoredRejection,
} from '../types.js';

interface EventRow {
  id: string;
  received_at: number;
  time: number;
  action: Action;
  entity_type: string;
  entity_id: string;
  modified_fields: string | null;
  delivery_id: string | null;
  headers: string | null;
  raw: Buffer;
}

interface RejectionRow {
  id: string;
  received_at: number;
  status: number;
  code: string;
  message: string;
  issues: string;
  headers: string | null;
  raw: Buffer;
  raw_bytes: number;
}

interface EntityRow {
  id: string;
  entity_type: string;
  last_received_at: number;
}

type Pending =
  | {
      kind: 'event';
      event: StoredEvent;
      resolve: (result: InsertResult) => void;
      reject: (error: unknown) => void;
    }
  | { kind: 'rejection'; rejection: StoredRejection; resolve: () => void; reject: (error: unknown) => void };

function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    receivedAtMs: row.received_at,
    timeMs: row.time,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    modifiedFields: row.modified_fields === null ? null : (JSON.parse(row.modified_fields) as string[]),
    deliveryId: row.delivery_id,
    headers: row.headers === null ? null : (JSON.parse(row.headers) as Record<string, string>),
    raw: row.raw,
  };
}

function toRejection(row: RejectionRow): StoredRejection {
  return {
    id: row.id,
    receivedAtMs: row.received_at,
    status: row.status,
    code: row.code,
    message: row.message,
    issues: JSON.parse(row.issues) as ValidationIssue[],
    headers: row.headers === null ? null : (JSON.parse(row.headers) as Record<string, string>),
    raw: row.raw,
    rawBytes: row.raw_bytes,
  };
}

function toEntity(row: EntityRow): StoredEntity {
  return { id: row.id, entityType: row.entity_type, lastReceivedAtMs: row.last_received_at };
}

/** Escapes LIKE wildcards so that `search` is a plain substring. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface Where {
  sql: string;
  params: Record<string, string | number>;
}

function eventWhere(query: EventQuery, cutoffMs: number): Where {
  const clauses = ['received_at >= @cutoff'];
  const params: Record<string, string | number> = { cutoff: cutoffMs };
  if (query.action) {
    clauses.push('action = @action');
    params.action = query.action;
  }
  if (query.entityType) {
    clauses.push('entity_type = @entityType');
    params.entityType = query.entityType;
  }
  if (query.entityId) {
    clauses.push('entity_id = @entityId');
    params.entityId = query.entityId;
  }
  if (query.sinceMs != null) {
    clauses.push('received_at >= @since');
    params.since = query.sinceMs;
  }
  if (query.untilMs != null) {
    clauses.push('received_at < @until');
    params.until = query.untilMs;
  }
  return { sql: clauses.join(' AND '), params };
}

/** The filters of a query with a search term, for the search index (see search.ts). */
function searchFilter(query: EventQuery & { search: string }, cutoffMs: number): SearchFilter {
  const where = eventWhere(query, cutoffMs);
  return {
    ...where,
    term: query.search,
    like: likePattern(query.search),
    fromMs: Math.max(cutoffMs, query.sinceMs ?? cutoffMs),
    untilMs: query.untilMs ?? null,
  };
}

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  dataDir: string;
  maxRejections: number;
  /** Events kept at most: each commit that passes it evicts the oldest; 0 = no cap. */
  maxStoredEvents?: number;
  /** Size cap of the database file; a write beyond it fails (the caller answers 503); 0 = none. */
  maxDatabaseBytes?: number;
  /** Told after a commit that evicted events for the cap (so that readers can be told, like a purge). */
  onEvicted?: (eviction: Eviction) => void;
}

/** Events removed by the MAX_STORED_EVENTS cap in one commit. */
export interface Eviction {
  eventCount: number;
  /** Every event received before this instant (epoch ms) is gone (some at this instant may be too). */
  beforeMs: number;
}

/** Opens the SQLite store in `dataDir` (see {@link Store}). */
export function createSqliteStore(options: SqliteStoreOptions): Store & { readonly db: Database.Database } {
  const db = openDatabase(options.dataDir);
  // WAL checkpoints (an fsync of the database file) run on a worker thread, not inside a commit here.
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = startCheckpointer(db.name);
  const maxStoredEvents = options.maxStoredEvents ?? 0;
  if (options.maxDatabaseBytes) {
    // max_page_count is per connection, so it is set on every open; SQLite then answers SQLITE_FULL
    // exactly as on a full disk, which is the path the webhook turns into a 503.
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize))}`);
  }
  // Counted once at open, then kept in step by inserts and purges: no COUNT(*) per commit.
  // From the trigger-kept counters: a COUNT(*) here scanned the whole table at every start.
  // Deletes made while the store was closed (another program) must not leave the mark above new rows.
  clampSearchMark(db);
  let storedEvents = (
    db.prepare('SELECT coalesce(sum(count), 0) AS n FROM event_counts').get() as { n: number }
  ).n;
  // Statements are prepared once per distinct SQL text: filters combine into a few dozen shapes at most.
  const { prepare } = createStatementCache(db);

  const insertEventStatement = db.prepare(
    `INSERT INTO events (id, received_at, time, action, entity_type, entity_id, modified_fields, delivery_id, headers, raw)
     VALUES (@id, @receivedAt, @time, @action, @entityType, @entityId, @modifiedFields, @deliveryId, @headers, @raw)`,
  );
  const upsertEntityStatement = db.prepare(
    `INSERT INTO entities (id, entity_type, last_received_at) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET entity_type = excluded.entity_type, last_received_at = excluded.last_received_at`,
  );
  const byDeliveryStatement = db.prepare('SELECT * FROM events WHERE delivery_id = ?');
  const insertRejectionStatement = db.prepare(
    `INSERT INTO rejections (id, received_at, status, code, message, issues, headers, raw, raw_bytes)
     VALUES (@id, @receivedAt, @status, @code, @message, @issues, @headers, @raw, @rawBytes)`,
  );
  const trimRejectionsStatement = db.prepare(
    // OFFSET is fine here: it runs over a small bounded table, never to paginate.
    `DELETE FROM rejections WHERE id IN
       (SELECT id FROM rejections ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?)`,
  );

  const oldestEventsStatement = db.prepare(
    // OFFSET walks the (received_at, id) index for the few rows one commit evicts; it never paginates.
    'SELECT received_at, id FROM events ORDER BY received_at, id LIMIT 1 OFFSET ?',
  );
  const evictEventsStatement = db.prepare('DELETE FROM events WHERE (received_at, id) <= (?, ?)');
  const evictEntitiesStatement = db.prepare('DELETE FROM entities WHERE last_received_at < ?');

  /** Evicts the oldest events beyond the cap, inside the commit's transaction. */
  const evict = (count: number): Eviction | null => {
    const excess = count - maxStoredEvents;
    if (maxStoredEvents === 0 || excess <= 0) return null;
    const last = oldestEventsStatement.get(excess - 1) as { received_at: number; id: string } | undefined;
    if (!last) return null;
    const removed = evictEventsStatement.run(last.received_at, last.id).changes;
    evictEntitiesStatement.run(last.received_at);
    return { eventCount: removed, beforeMs: last.received_at };
  };

  const commitBatch = db.transaction((batch: Pending[]) => {
    const results: (InsertResult | undefined)[] = [];
    let inserted = 0;
    const inBatch = new Map<string, StoredEvent>();
    for (const item of batch) {
      if (item.kind === 'rejection') {
        const r = item.rejection;
        insertRejectionStatement.run({
          id: r.id,
          receivedAt: r.receivedAtMs,
          status: r.status,
          code: r.code,
          message: r.message,
          issues: JSON.stringify(r.issues),
          headers: r.headers ? JSON.stringify(r.headers) : null,
          raw: r.raw,
          rawBytes: r.rawBytes,
        });
        results.push(undefined);
        continue;
      }
      const e = item.event;
      if (e.deliveryId !== null) {
        const storedRow = inBatch.has(e.deliveryId)
          ? undefined
          : (byDeliveryStatement.get(e.deliveryId) as EventRow | undefined);
        const earlier = inBatch.get(e.deliveryId) ?? (storedRow ? toEvent(storedRow) : undefined);
        if (earlier) {
          results.push({ event: earlier, duplicate: true });
          continue;
        }
        inBatch.set(e.deliveryId, e);
      }
      insertEventStatement.run({
        id: e.id,
        receivedAt: e.receivedAtMs,
        time: e.timeMs,
        action: e.action,
        entityType: e.entityType,
        entityId: e.entityId,
        modifiedFields: e.modifiedFields ? JSON.stringify(e.modifiedFields) : null,
        deliveryId: e.deliveryId,
        headers: e.headers ? JSON.stringify(e.headers) : null,
        raw: e.raw,
      });
      upsertEntityStatement.run(e.entityId, e.entityType, e.receivedAtMs);
      inserted += 1;
      results.push({ event: e, duplicate: false });
    }
    if (batch.some((item) => item.kind === 'rejection')) trimRejectionsStatement.run(options.maxRejections);
    const eviction = evict(storedEvents + inserted);
    // Rows are indexed for search later, by indexStep; a delete only has to keep its mark honest.
    if (eviction) clampSearchMark(db);
    return { results, count: storedEvents + inserted - (eviction?.eventCount ?? 0), eviction };
  });

  let pending: Pending[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let results: (InsertResult | undefined)[];
    let eviction: Eviction | null;
    try {
      const committed = commitBatch(batch);
      results = committed.results;
      eviction = committed.eviction;
      storedEvents = committed.count;
    } catch (error) {
      // The transaction rolled back: nothing of the batch is stored, so nobody is acknowledged.
      for (const item of batch) item.reject(error);
      return;
    }
    if (eviction) options.onEvicted?.(eviction);
    batch.forEach((item, i) => {
      if (item.kind === 'event') item.resolve(results[i] as InsertResult);
      else item.resolve();
    });
  };
  const enqueue = (item: Pending): void => {
    pending.push(item);
    if (!flushScheduled) {
      flushScheduled = true;
      // setImmediate runs after this turn's I/O callbacks: every request parsed in the turn shares the commit.
      setImmediate(flush);
    }
  };

  /**
   * Retained events per (entity type, action): the trigger-kept totals minus the rows past the cut-off
   * that the purge has not deleted yet (a range over the received_at index that only spans those rows).
   */
  const retainedCounts = (cutoffMs: number): { entityType: string; action: Action; count: number }[] => {
    const totals = prepare(
      'SELECT entity_type AS entityType, action, count FROM event_counts WHERE count > 0',
    ).all() as {
      entityType: string;
      action: Action;
      count: number;
    }[];
    const expired = prepare(
      // INDEXED BY: left alone, the planner walks a (type|action, ...) index whole to avoid sorting the groups.
      'SELECT entity_type AS entityType, action, count(*) AS count FROM events INDEXED BY events_received_at_id_idx WHERE received_at < ? GROUP BY entity_type, action',
    ).all(cutoffMs) as { entityType: string; action: Action; count: number }[];
    const expiredBy = new Map(expired.map((row) => [`${row.entityType}\u0000${row.action}`, row.count]));
    return totals
      .map((row) => ({
        ...row,
        count: row.count - (expiredBy.get(`${row.entityType}\u0000${row.action}`) ?? 0),
      }))
      .filter((row) => row.count > 0);
  };

  const countFromCounters = (query: EventQuery, cutoffMs: number): number => {
    let total = 0;
    for (const row of retainedCounts(cutoffMs)) {
      if (query.action && row.action !== query.action) continue;
      if (query.entityType && row.entityType !== query.entityType) continue;
      total += row.count;
    }
    return total;
  };

  const search = createSearchReader(db);

  const page = <R, T>(rows: R[], first: number, map: (row: R) => T): Page<T> => ({
    rows: rows.slice(0, first).map(map),
    hasNextPage: rows.length > first,
  });

  let closed = false;
  return {
    db,
    insertEvent(event) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) => enqueue({ kind: 'event', event, resolve, reject }));
    },
    insertRejection(rejection) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) => enqueue({ kind: 'rejection', rejection, resolve, reject }));
    },
    async getEvent(id, cutoffMs) {
      const row = prepare('SELECT * FROM events WHERE id = ? AND received_at >= ?').get(id, cutoffMs) as
        EventRow | undefined;
      return row ? toEvent(row) : null;
    },
    async listEvents(query, first, after, cutoffMs) {
      if (query.search) {
        const rows = search.list<EventRow>(
          searchFilter({ ...query, search: query.search }, cutoffMs),
          first,
          after,
        );
        return page(rows, first, toEvent);
      }
      const where = eventWhere(query, cutoffMs);
      const keyset = after ? ' AND (received_at, id) < (@afterAt, @afterId)' : '';
      const params = after ? { ...where.params, afterAt: after.atMs, afterId: after.id } : where.params;
      const rows = prepare(
        `SELECT * FROM events WHERE ${where.sql}${keyset} ORDER BY received_at DESC, id DESC LIMIT @limit`,
      ).all({ ...params, limit: first + 1 }) as EventRow[];
      return page(rows, first, toEvent);
    },
    async countEvents(query, cutoffMs) {
      if (!query.entityId && query.sinceMs == null && query.untilMs == null && !query.search) {
        return countFromCounters(query, cutoffMs);
      }
      if (query.search) return search.count(searchFilter({ ...query, search: query.search }, cutoffMs));
      const where = eventWhere(query, cutoffMs);
      return (
        prepare(`SELECT count(*) AS n FROM events WHERE ${where.sql}`).get(where.params) as { n: number }
      ).n;
    },
    async entityEvents(entityId, cutoffMs, after = null) {
      const rows = (
        after
          ? prepare(
              'SELECT * FROM events WHERE entity_id = ? AND received_at >= ? AND (received_at, id) > (?, ?) ORDER BY received_at, id',
            ).all(entityId, cutoffMs, after.atMs, after.id)
          : prepare(
              'SELECT * FROM events WHERE entity_id = ? AND received_at >= ? ORDER BY received_at, id',
            ).all(entityId, cutoffMs)
      ) as EventRow[];
      return rows.map(toEvent);
    },
    async entityBounds(entityId, cutoffMs) {
      const end = (direction: 'ASC' | 'DESC') =>
        (
          prepare(
            `SELECT id FROM events WHERE entity_id = ? AND received_at >= ? ORDER BY received_at ${direction}, id ${direction} LIMIT 1`,
          ).get(entityId, cutoffMs) as { id: string } | undefined
        )?.id ?? null;
      return { firstId: end('ASC'), lastId: end('DESC') };
    },
    async lastReceivedAtMs() {
      return (prepare('SELECT max(received_at) AS at FROM events').get() as { at: number | null }).at;
    },
    async getEntity(id, cutoffMs) {
      const row = prepare('SELECT * FROM entities WHERE id = ? AND last_received_at >= ?').get(
        id,
        cutoffMs,
      ) as EntityRow | undefined;
      return row ? toEntity(row) : null;
    },
    async listEntities(entityType, first, after, cutoffMs) {
      const typeClause = entityType === null ? '' : ' AND entity_type = @entityType';
      const keyset = after ? ' AND (last_received_at, id) < (@afterAt, @afterId)' : '';
      const rows = prepare(
        `SELECT * FROM entities WHERE last_received_at >= @cutoff${typeClause}${keyset}
         ORDER BY last_received_at DESC, id DESC LIMIT @limit`,
      ).all({
        cutoff: cutoffMs,
        limit: first + 1,
        ...(entityType === null ? {} : { entityType }),
        ...(after ? { afterAt: after.atMs, afterId: after.id } : {}),
      }) as EntityRow[];
      return page(rows, first, toEntity);
    },
    async countEntities(entityType, cutoffMs) {
      const row =
        entityType === null
          ? prepare('SELECT count(*) AS n FROM entities WHERE last_received_at >= ?').get(cutoffMs)
          : prepare('SELECT count(*) AS n FROM entities WHERE entity_type = ? AND last_received_at >= ?').get(
              entityType,
              cutoffMs,
            );
      return (row as { n: number }).n;
    },
    async listRejections(first, after, cutoffMs) {
      const keyset = after ? ' AND (received_at, id) < (@afterAt, @afterId)' : '';
      const rows = prepare(
        `SELECT * FROM rejections WHERE received_at >= @cutoff${keyset} ORDER BY received_at DESC, id DESC LIMIT @limit`,
      ).all({
        cutoff: cutoffMs,
        limit: first + 1,
        ...(after ? { afterAt: after.atMs, afterId: after.id } : {}),
      }) as RejectionRow[];
      return page(rows, first, toRejection);
    },
    async countRejections(cutoffMs) {
      return (
        prepare('SELECT count(*) AS n FROM rejections WHERE received_at >= ?').get(cutoffMs) as { n: number }
      ).n;
    },
    async stats(cutoffMs): Promise<StoreStats> {
      const pairs = retainedCounts(cutoffMs);
      const byType = new Map<string, number>();
      const byActionMap = new Map<Action, number>();
      let total = 0;
      for (const { entityType, action, count } of pairs) {
        byType.set(entityType, (byType.get(entityType) ?? 0) + count);
        byActionMap.set(action, (byActionMap.get(action) ?? 0) + count);
        total += count;
      }
      const byEntityType = [...byType]
        .map(([entityType, count]) => ({ entityType, count }))
        .sort((a, b) => b.count - a.count || (a.entityType < b.entityType ? -1 : 1));
      const byAction = [...byActionMap]
        .map(([action, count]) => ({ action, count }))
        .sort((a, b) => (a.action < b.action ? -1 : 1));
      // Two seeks at the ends of the (received_at, id) index.
      const oldest = prepare('SELECT min(received_at) AS at FROM events WHERE received_at >= ?').get(
        cutoffMs,
      ) as {
        at: number | null;
      };
      const newestAt = await this.lastReceivedAtMs();
      return {
        totalEvents: total,
        totalEntities: await this.countEntities(null, cutoffMs),
        totalRejections: await this.countRejections(cutoffMs),
        byEntityType,
        byAction,
        oldestReceivedAtMs: oldest.at,
        newestReceivedAtMs: total === 0 ? null : newestAt,
      };
    },
    async purgeStep(cutoffMs, batchSize, maxMs = Number.POSITIVE_INFINITY): Promise<PurgeStep> {
      const deleteEvents = prepare(
        'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE received_at < ? ORDER BY received_at LIMIT ?)',
      );
      // An entity whose newest event is expired has no retained event left.
      const deleteEntities = prepare(
        'DELETE FROM entities WHERE id IN (SELECT id FROM entities WHERE last_received_at < ? ORDER BY last_received_at LIMIT ?)',
      );
      const deleteRejections = prepare(
        'DELETE FROM rejections WHERE id IN (SELECT id FROM rejections WHERE received_at < ? ORDER BY received_at LIMIT ?)',
      );
      // Bounded by time, not rows: what a row costs varies by 10x with the cache and the indexes it
      // touches, so a fixed row count either stalls the event loop or wastes commits.
      const step = db.transaction((): PurgeStep => {
        const started = performance.now();
        const removed: PurgeStep = { events: 0, rejections: 0, done: false };
        for (;;) {
          const events = deleteEvents.run(cutoffMs, batchSize).changes;
          const entities = deleteEntities.run(cutoffMs, batchSize).changes;
          const rejections = deleteRejections.run(cutoffMs, batchSize).changes;
          removed.events += events;
          removed.rejections += rejections;
          if (events < batchSize && entities < batchSize && rejections < batchSize) {
            removed.done = true;
            break;
          }
          if (performance.now() - started >= maxMs) break;
        }
        if (removed.events > 0) clampSearchMark(db);
        return removed;
      });
      const removed = step();
      storedEvents -= removed.events;
      // Then, in a step of its own, one search bucket that no stored event can be in (a DROP TABLE of
      // at most ~50,000 rows' index, instead of deleting index rows one by one).
      if (removed.done && dropStaleSearchBucket(db)) return { ...removed, done: false, indexDropped: true };
      return removed;
    },
    async indexStep(maxMs) {
      return indexSearchStepUnsynced(db, maxMs);
    },
    async releaseSpace(maxPages) {
      const before = (db.pragma('freelist_count', { simple: true }) as number) ?? 0;
      if (before === 0) return 0;
      db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
      const after = (db.pragma('freelist_count', { simple: true }) as number) ?? 0;
      return before - after;
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      await checkpointer.stop();
      db.close();
    },
  };
}
