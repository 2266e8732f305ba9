import { sql, type SQL } from 'drizzle-orm';
import type { Eviction } from '../types.js';
import { removeEventsStatement, toRemovedEvents, type RemovedRow } from './removal.js';
import { eventCounts, events } from './schema.js';

/** The kept counts' hour rows: their sum is every stored event (expired or not). */
const HOUR_MS = 3_600_000;

/**
 * Inside the ingest transaction, sent after its insert: the statement that removes the oldest events by
 * (received_at, id) beyond `maxStoredEvents` (null: no cap, no statement), with their attempts, delivery
 * ids and the entities left without an event. Report its answer ({@link toEviction}) after the commit
 * (`MaintenanceParts.reportEviction`).
 */
export function evictionStatement(maxStoredEvents: number): SQL | null {
  if (maxStoredEvents === 0) return null;
  // The stored count from the trigger-kept counters (a few hundred rows), not a count(*) of the events.
  // Raw: LIMIT from a scalar subquery has no drizzle word.
  const victims = sql`
    SELECT id, received_at FROM ${events}
    ORDER BY received_at, id
    LIMIT greatest(0, (SELECT coalesce(sum(count), 0) FROM ${eventCounts} WHERE size_ms = ${HOUR_MS}) - ${maxStoredEvents})`;
  return removeEventsStatement(victims, true);
}

/** What {@link evictionStatement}'s rows removed (null: nothing). */
export function toEviction(rows: readonly RemovedRow[]): Eviction | null {
  const removed = toRemovedEvents(rows);
  const last = removed.at(-1);
  return last ? { eventCount: removed.length, beforeMs: last.receivedAtMs } : null;
}
