import type Database from 'better-sqlite3';
import type { PurgeStep, Store } from '../types.js';
import type { EventTally } from './counts.js';
import { clampSearchMark, dropStaleSearchBucket, indexSearchStepUnsynced } from './search.js';
import type { StatementCache } from './statements.js';

/** Events removed by the MAX_STORED_EVENTS cap in one commit. */
export interface Eviction {
  eventCount: number;
  /** Every event received before this instant (epoch ms) is gone (some at this instant may be too). */
  beforeMs: number;
}

/**
 * Creates the eviction run inside each commit's transaction: given the count after the commit, it
 * evicts the oldest events beyond `maxStoredEvents` (0 = no cap) and the entities left with none.
 */
export function createEviction(
  db: Database.Database,
  maxStoredEvents: number,
): (storedEvents: number) => Eviction | null {
  const oldestEventsStatement = db.prepare(
    // OFFSET walks the (received_at, id) index for the few rows one commit evicts; it never paginates.
    'SELECT received_at, id FROM events ORDER BY received_at, id LIMIT 1 OFFSET ?',
  );
  const evictEventsStatement = db.prepare('DELETE FROM events WHERE (received_at, id) <= (?, ?)');
  const evictEntitiesStatement = db.prepare('DELETE FROM entities WHERE last_received_at < ?');
  return (count) => {
    const excess = count - maxStoredEvents;
    if (maxStoredEvents === 0 || excess <= 0) return null;
    const last = oldestEventsStatement.get(excess - 1) as { received_at: number; id: string } | undefined;
    if (!last) return null;
    const removed = evictEventsStatement.run(last.received_at, last.id).changes;
    evictEntitiesStatement.run(last.received_at);
    return { eventCount: removed, beforeMs: last.received_at };
  };
}

/** The store's upkeep: purge, search indexing and giving space back. */
export type Maintenance = Pick<Store, 'purgeStep' | 'indexStep' | 'releaseSpace'>;

/** Creates the purge step; it keeps `tally` in step with what it deletes. */
function createPurgeStep(db: Database.Database, prepare: StatementCache['prepare'], tally: EventTally) {
  return async (
    cutoffMs: number,
    batchSize: number,
    maxMs = Number.POSITIVE_INFINITY,
  ): Promise<PurgeStep> => {
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
    tally.storedEvents -= removed.events;
    // Then, in a step of its own, one search bucket that no stored event can be in (a DROP TABLE of
    // at most ~50,000 rows' index, instead of deleting index rows one by one).
    if (removed.done && dropStaleSearchBucket(db)) return { ...removed, done: false, indexDropped: true };
    return removed;
  };
}

/** Creates the upkeep over `db`. */
export function createMaintenance(
  db: Database.Database,
  prepare: StatementCache['prepare'],
  tally: EventTally,
): Maintenance {
  return {
    purgeStep: createPurgeStep(db, prepare, tally),
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
  };
}
