import type Database from 'better-sqlite3';
import type { Eviction, InsertResult, Store, StoredEvent, StoredRejection } from '../types.js';
import { createCommitQueue } from './commit-queue.js';
import type { EventTally } from './counts.js';
import { toEvent, type EventRow } from './rows.js';
import { clampSearchMark } from './search.js';

type Write =
  | {
      kind: 'event';
      event: StoredEvent;
      resolve: (result: InsertResult) => void;
      reject: (error: unknown) => void;
    }
  | { kind: 'rejection'; rejection: StoredRejection; resolve: () => void; reject: (error: unknown) => void };

/** What the writer needs besides the connection. */
export interface WriterOptions {
  maxRejections: number;
  /** Evicts the oldest events beyond the cap, given the count after the batch; inside the transaction. */
  evict: (storedEvents: number) => Eviction | null;
  /** Told after a commit that evicted events. */
  onEvicted?: (eviction: Eviction) => void;
}

/** The store's writes: group-committed inserts of events and rejections. */
export interface Writer extends Pick<Store, 'insertEvent' | 'insertRejection'> {
  readonly closed: boolean;
  /** Commits what is queued, then refuses further writes. */
  close(): void;
}

function prepareWrites(db: Database.Database) {
  return {
    insertEvent: db.prepare(
      `INSERT INTO events (id, received_at, time, action, entity_type, entity_id, modified_fields, delivery_id, headers, raw)
     VALUES (@id, @receivedAt, @time, @action, @entityType, @entityId, @modifiedFields, @deliveryId, @headers, @raw)`,
    ),
    upsertEntity: db.prepare(
      `INSERT INTO entities (id, entity_type, last_received_at) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET entity_type = excluded.entity_type, last_received_at = excluded.last_received_at`,
    ),
    byDelivery: db.prepare('SELECT * FROM events WHERE delivery_id = ?'),
    insertRejection: db.prepare(
      `INSERT INTO rejections (id, received_at, status, code, message, issues, headers, raw, raw_bytes)
     VALUES (@id, @receivedAt, @status, @code, @message, @issues, @headers, @raw, @rawBytes)`,
    ),
    trimRejections: db.prepare(
      // OFFSET is fine here: it runs over a small bounded table, never to paginate.
      `DELETE FROM rejections WHERE id IN
       (SELECT id FROM rejections ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?)`,
    ),
  };
}

type WriteStatements = ReturnType<typeof prepareWrites>;

function insertRejection(statements: WriteStatements, r: StoredRejection): void {
  statements.insertRejection.run({
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
}

/** Inserts `e` unless its delivery id is stored or earlier in the batch (then answers the original). */
function insertEvent(
  statements: WriteStatements,
  inBatch: Map<string, StoredEvent>,
  e: StoredEvent,
): InsertResult {
  if (e.deliveryId !== null) {
    const storedRow = inBatch.has(e.deliveryId)
      ? undefined
      : (statements.byDelivery.get(e.deliveryId) as EventRow | undefined);
    const earlier = inBatch.get(e.deliveryId) ?? (storedRow ? toEvent(storedRow) : undefined);
    if (earlier) return { event: earlier, duplicate: true };
    inBatch.set(e.deliveryId, e);
  }
  statements.insertEvent.run({
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
  statements.upsertEntity.run(e.entityId, e.entityType, e.receivedAtMs);
  return { event: e, duplicate: false };
}

/** Creates the writer over `db`; `tally` is the stored-event count it keeps in step. */
export function createWriter(db: Database.Database, options: WriterOptions, tally: EventTally): Writer {
  const statements = prepareWrites(db);
  const commitBatch = db.transaction((batch: Write[]) => {
    const results: (InsertResult | undefined)[] = [];
    let inserted = 0;
    const inBatch = new Map<string, StoredEvent>();
    for (const item of batch) {
      if (item.kind === 'rejection') {
        insertRejection(statements, item.rejection);
        results.push(undefined);
        continue;
      }
      const result = insertEvent(statements, inBatch, item.event);
      if (!result.duplicate) inserted += 1;
      results.push(result);
    }
    if (batch.some((item) => item.kind === 'rejection')) statements.trimRejections.run(options.maxRejections);
    const eviction = options.evict(tally.storedEvents + inserted);
    // Rows are indexed for search later, by the maintenance; a delete only has to keep its mark honest.
    if (eviction) clampSearchMark(db);
    return { results, count: tally.storedEvents + inserted - (eviction?.eventCount ?? 0), eviction };
  });
  const queue = createCommitQueue((batch: Write[]) => {
    const { results, count, eviction } = commitBatch(batch);
    tally.storedEvents = count;
    return () => {
      if (eviction) options.onEvicted?.(eviction);
      batch.forEach((item, i) => {
        if (item.kind === 'event') item.resolve(results[i] as InsertResult);
        else item.resolve();
      });
    };
  });

  let closed = false;
  return {
    get closed() {
      return closed;
    },
    insertEvent(event) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) => queue.enqueue({ kind: 'event', event, resolve, reject }));
    },
    insertRejection(rejection) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) =>
        queue.enqueue({ kind: 'rejection', rejection, resolve, reject }),
      );
    },
    close() {
      queue.flush();
      closed = true;
    },
  };
}
