import type Database from 'better-sqlite3';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { JsonObject } from '../../domain/types.js';
import type {
  EventWriter,
  Eviction,
  InsertResult,
  NewEvent,
  StoredDelivery,
  StoredEvent,
  StoredRejection,
} from '../types.js';
import { prepareDeliveryInsert } from './deliveries.js';
import { createCommitQueue } from './commit-queue.js';
import type { EventTally } from './counts.js';
import { ormOf, prepareRows } from './orm.js';
import {
  eventColumns,
  prepareEntityUpsert,
  prepareEventInsert,
  prepareRejectionInsert,
  prepareSequenceSave,
} from './rows.js';
import { entities, eventSequence, events, rejections } from './schema.js';
import type { SchemaLearning } from './schemas.js';
import { clampSearchMark } from './search.js';

type Write =
  | {
      kind: 'event';
      event: NewEvent;
      payload: JsonObject | undefined;
      resolve: (result: InsertResult) => void;
      reject: (error: unknown) => void;
    }
  | { kind: 'rejection'; rejection: StoredRejection; resolve: () => void; reject: (error: unknown) => void }
  | {
      kind: 'task';
      task: CommitTask<unknown>;
      resolve: (value: unknown) => void;
      reject: (error: unknown) => void;
    }
  | {
      kind: 'delivery';
      delivery: StoredDelivery;
      cutoffMs: number;
      resolve: (stored: boolean) => void;
      reject: (error: unknown) => void;
    };

/**
 * Work run inside a group commit's transaction, in queue order with the inserts (a delete step): it
 * answers its value and how many events it removed, so that the tally and the cap stay exact.
 */
export type CommitTask<T> = () => { value: T; removedEvents: number };

/** What the writer needs besides the connection. */
export interface WriterOptions {
  maxRejections: number;
  /** Evicts the oldest events beyond the cap, given the count after the batch; inside the transaction. */
  evict: (storedEvents: number) => Eviction | null;
  /** Told after a commit that evicted events. */
  onEvicted?: (eviction: Eviction) => void;
  /** Learns each stored event's schema inside its commit (null: learning is off). */
  learning?: SchemaLearning | null;
}

/** The store's writes: group-committed inserts of events, rejections and delivery attempts. */
export interface Writer extends EventWriter {
  readonly closed: boolean;
  /** Runs `task` inside the next group commit, after what is queued before it; resolves after that commit. */
  runInCommit<T>(task: CommitTask<T>): Promise<T>;
  /** Commits what is queued, then refuses further writes. */
  close(): void;
}

function prepareWrites(db: Database.Database) {
  const orm = ormOf(db);
  const byDelivery = prepareRows(
    orm,
    orm
      .select(eventColumns)
      .from(events)
      .where(eq(events.deliveryId, sql.placeholder('deliveryId'))),
    eventColumns,
  );
  const trimRejections = orm
    .delete(rejections)
    .where(
      inArray(
        rejections.id,
        orm
          .select({ id: rejections.id })
          .from(rejections)
          .orderBy(desc(rejections.receivedAt), desc(rejections.id))
          // OFFSET is fine here: it runs over a small bounded table, never to paginate. SQLite wants a
          // LIMIT before it, -1 for none, which drizzle drops when given as a number.
          .limit(sql.placeholder('noLimit'))
          .offset(sql.placeholder('keep')),
      ),
    )
    .prepare();
  const entityLast = orm
    .select({ lastReceivedAt: entities.lastReceivedAt })
    .from(entities)
    .where(eq(entities.id, sql.placeholder('id')))
    .prepare();
  const lastSequence = orm
    .select({ last: eventSequence.last })
    .from(eventSequence)
    .where(eq(eventSequence.id, 1))
    .prepare();
  return {
    insertEvent: prepareEventInsert(orm),
    lastSequence: () => lastSequence.get()?.last ?? 0,
    saveSequence: prepareSequenceSave(orm),
    upsertEntity: prepareEntityUpsert(orm),
    /** The entity row's latest arrival (every stored event of an entity is at or before it), or null. */
    entityLastReceivedAtMs: (id: string) => entityLast.get({ id })?.lastReceivedAt ?? null,
    byDelivery: (deliveryId: string) => byDelivery.get({ deliveryId }),
    insertRejection: prepareRejectionInsert(orm),
    insertDelivery: prepareDeliveryInsert(orm),
    trimRejections: (keep: number) => void trimRejections.run({ noLimit: -1, keep }),
  };
}

type WriteStatements = ReturnType<typeof prepareWrites>;

/**
 * Inserts `given` at position `sequence` unless its delivery id is stored or earlier in the batch (then
 * answers the original, and the position stays free for the next event).
 */
function insertEvent(
  statements: WriteStatements,
  inBatch: Map<string, StoredEvent>,
  given: NewEvent,
  sequence: number,
  payload: JsonObject | undefined,
  learning: SchemaLearning | null,
): InsertResult {
  if (given.deliveryId !== null) {
    const earlier = inBatch.get(given.deliveryId) ?? statements.byDelivery(given.deliveryId);
    if (earlier) return { event: earlier, duplicate: true };
  }
  // Drift is judged here, in commit order, against the events stored before this one (duplicates teach nothing).
  const drift = learning ? learning.learn(given, payload) : null;
  // A drift the caller set is never kept.
  const e: StoredEvent = { ...given, sequence: String(sequence), drift };
  if (e.deliveryId !== null) inBatch.set(e.deliveryId, e);
  // One primary-key seek on the page the upsert writes next: the fold cache folds a new entity from the
  // commit instead of reading it back (InsertResult.previousReceivedAtMs).
  const previousReceivedAtMs = statements.entityLastReceivedAtMs(e.entityId);
  statements.insertEvent(e);
  statements.upsertEntity({ id: e.entityId, entityType: e.entityType, lastReceivedAtMs: e.receivedAtMs });
  return { event: e, duplicate: false, previousReceivedAtMs };
}

/** Creates the writer over `db`; `tally` is the stored-event count it keeps in step. */
export function createWriter(db: Database.Database, options: WriterOptions, tally: EventTally): Writer {
  const statements = prepareWrites(db);
  const learning = options.learning ?? null;
  const commitInTransaction = db.transaction((batch: Write[]) => {
    const results: unknown[] = [];
    let inserted = 0;
    let removed = 0;
    const inBatch = new Map<string, StoredEvent>();
    // Positions are taken inside the write transaction: SQLite runs one at a time, so no later commit
    // can become visible with a lower position than one already read.
    const firstSequence = statements.lastSequence() + 1;
    for (const item of batch) {
      if (item.kind === 'task') {
        const outcome = item.task();
        removed += outcome.removedEvents;
        results.push(outcome.value);
        continue;
      }
      if (item.kind === 'rejection') {
        statements.insertRejection(item.rejection);
        results.push(undefined);
        continue;
      }
      if (item.kind === 'delivery') {
        results.push(statements.insertDelivery(item.delivery, item.cutoffMs));
        continue;
      }
      const sequence = firstSequence + inserted;
      const result = insertEvent(statements, inBatch, item.event, sequence, item.payload, learning);
      if (!result.duplicate) inserted += 1;
      results.push(result);
    }
    if (inserted > 0) statements.saveSequence(firstSequence + inserted - 1);
    if (batch.some((item) => item.kind === 'rejection')) statements.trimRejections(options.maxRejections);
    const stored = tally.storedEvents + inserted - removed;
    const eviction = options.evict(stored);
    // The learned rows: at most once a second, and in any commit that removed events (the mark, a rowid,
    // must follow a removal: a new event may reuse a removed rowid, and is then below the old mark).
    learning?.persist(removed > 0 || eviction !== null);
    // Rows are indexed for search later, by the maintenance; a delete only has to keep its mark honest.
    if (eviction) clampSearchMark(db);
    return { results, count: stored - (eviction?.eventCount ?? 0), eviction };
  });
  const commitBatch = (batch: Write[]): ReturnType<typeof commitInTransaction> => {
    try {
      return commitInTransaction(batch);
    } catch (error) {
      // Rolled back: the learner in memory must not keep what the lost events taught it.
      learning?.reset();
      throw error;
    }
  };
  const queue = createCommitQueue((batch: Write[]) => {
    const { results, count, eviction } = commitBatch(batch);
    tally.storedEvents = count;
    return () => {
      if (eviction) options.onEvicted?.(eviction);
      batch.forEach((item, i) => {
        if (item.kind === 'event') item.resolve(results[i] as InsertResult);
        else if (item.kind === 'task') item.resolve(results[i]);
        else if (item.kind === 'delivery') item.resolve(results[i] as boolean);
        else item.resolve();
      });
    };
  });

  let closed = false;
  return {
    get closed() {
      return closed;
    },
    insertEvent(event, payload) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) =>
        queue.enqueue({ kind: 'event', event, payload, resolve, reject }),
      );
    },
    insertRejection(rejection) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) =>
        queue.enqueue({ kind: 'rejection', rejection, resolve, reject }),
      );
    },
    insertDelivery(delivery, cutoffMs) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise((resolve, reject) =>
        queue.enqueue({ kind: 'delivery', delivery, cutoffMs, resolve, reject }),
      );
    },
    runInCommit<T>(task: CommitTask<T>) {
      if (closed) return Promise.reject(new Error('store is closed'));
      return new Promise<T>((resolve, reject) =>
        queue.enqueue({
          kind: 'task',
          task,
          resolve: resolve as (value: unknown) => void,
          reject,
        }),
      );
    },
    close() {
      queue.flush();
      learning?.flush();
      closed = true;
    },
  };
}
