import { count, gt, gte, lt, min, sql } from 'drizzle-orm';
import type { Action } from '../../domain/types.js';
import type { EventQuery, EventReader, StoreStats } from '../types.js';
import type { Orm } from './orm.js';
import { asFragments } from './rows.js';
import { eventCounts, events } from './schema.js';

/** The number of stored events (expired or not), kept in step by commits, evictions and purges. */
export interface EventTally {
  storedEvents: number;
}

/**
 * Counts the stored events once at open, from the trigger-kept counters (a COUNT(*) scanned the whole
 * table at every start); commits and purges then keep the tally in step, with no COUNT(*) per commit.
 */
export function openEventTally(orm: Orm): EventTally {
  const row = orm
    .select({ n: sql<number>`coalesce(sum(${eventCounts.count}), 0)` })
    .from(eventCounts)
    .get();
  return { storedEvents: row?.n ?? 0 };
}

interface PairCount {
  entityType: string;
  action: Action;
  count: number;
}

/** The prepared reads of the counters. */
export interface CounterReads {
  /** The trigger-kept totals per (entity type, action), expired rows included. */
  totals(): PairCount[];
  /** The expired rows not purged yet, per (entity type, action). */
  expired(cutoffMs: number): PairCount[];
  /** The oldest retained received_at. */
  oldestAtMs(cutoffMs: number): number | null;
}

/** Prepares the {@link CounterReads}. */
export function prepareCounterReads(orm: Orm): CounterReads {
  const totals = orm
    .select({ entityType: eventCounts.entityType, action: eventCounts.action, count: eventCounts.count })
    .from(eventCounts)
    .where(gt(eventCounts.count, 0))
    .prepare();
  const expired = orm
    .select({ ...asFragments({ entityType: events.entityType, action: events.action }), count: count() })
    // INDEXED BY (raw: drizzle has no word for it): left alone, the planner walks a (type|action, ...)
    // index whole to avoid sorting the groups.
    .from(sql`${events} INDEXED BY ${sql.identifier('events_received_at_id_idx')}`)
    .where(lt(events.receivedAt, sql.placeholder('cutoff')))
    .groupBy(events.entityType, events.action)
    .prepare();
  // Two seeks at the ends of the (received_at, id) index.
  const oldest = orm
    .select({ at: min(events.receivedAt) })
    .from(events)
    .where(gte(events.receivedAt, sql.placeholder('cutoff')))
    .prepare();
  return {
    totals: () => totals.all(),
    expired: (cutoffMs) => expired.all({ cutoff: cutoffMs }),
    oldestAtMs: (cutoffMs) => oldest.get({ cutoff: cutoffMs })?.at ?? null,
  };
}

/**
 * Retained events per (entity type, action): the trigger-kept totals minus the rows past the cut-off
 * that the purge has not deleted yet (a range over the received_at index that only spans those rows).
 */
export function retainedCounts(counters: CounterReads, cutoffMs: number): PairCount[] {
  const expiredBy = new Map(
    counters.expired(cutoffMs).map((row) => [`${row.entityType}\u0000${row.action}`, row.count]),
  );
  return counters
    .totals()
    .map((row) => ({
      ...row,
      count: row.count - (expiredBy.get(`${row.entityType}\u0000${row.action}`) ?? 0),
    }))
    .filter((row) => row.count > 0);
}

/** The count of a query that filters on action and entity type at most, from the counters. */
export function countFromCounters(counters: CounterReads, query: EventQuery, cutoffMs: number): number {
  let total = 0;
  for (const row of retainedCounts(counters, cutoffMs)) {
    if (query.action && row.action !== query.action) continue;
    if (query.entityType && row.entityType !== query.entityType) continue;
    total += row.count;
  }
  return total;
}

/** The reads `stats` combines with the counters. */
export type StatsReads = Pick<EventReader, 'countEntities' | 'countRejections' | 'lastReceivedAtMs'>;

/** Creates `stats` over the counters and `reads`. */
export function createStats(counters: CounterReads, reads: StatsReads): EventReader['stats'] {
  return async (cutoffMs): Promise<StoreStats> => {
    const pairs = retainedCounts(counters, cutoffMs);
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
    const newestAt = await reads.lastReceivedAtMs();
    return {
      totalEvents: total,
      totalEntities: await reads.countEntities(null, cutoffMs),
      totalRejections: await reads.countRejections(cutoffMs),
      byEntityType,
      byAction,
      oldestReceivedAtMs: counters.oldestAtMs(cutoffMs),
      newestReceivedAtMs: total === 0 ? null : newestAt,
    };
  };
}
