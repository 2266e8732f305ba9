import { and, count, eq, gte, lt, max, min, sql } from 'drizzle-orm';
import { HOUR_MS, MINUTE_MS } from '../../domain/traffic.js';
import type { Action } from '../../domain/types.js';
import type { EventQuery, EventReader, StoreStats } from '../types.js';
import type { PgContext } from './context.js';
import { eventCounts, events } from './schema.js';

// Exact counts from the trigger-kept `event_counts` rows: hours wholly at or after the cut-off, then the
// minutes between the cut-off's next minute and its next hour, then the events themselves only in the
// part of one minute before that (a range of the (received_at, id) index). A few hundred rows per count
// at most, whatever the number of events.

/** Retained events of one (entity type, action). */
export interface PairCount {
  entityType: string;
  action: Action;
  count: number;
}

/** The reads of the kept counters. */
export interface CounterReads {
  /** Retained events per (entity type, action), pairs with none left out. */
  retained(cutoffMs: number): Promise<PairCount[]>;
  /** The oldest retained received_at (null when none). */
  oldestAtMs(cutoffMs: number): Promise<number | null>;
}

const ceilTo = (atMs: number, sizeMs: number): number => Math.ceil(atMs / sizeMs) * sizeMs;

/** Creates the {@link CounterReads} over the pool. */
export function createCounterReads(ctx: PgContext): CounterReads {
  const { db } = ctx;
  const pairs = { entityType: eventCounts.entityType, action: eventCounts.action };
  const summed = { ...pairs, count: sql<string>`sum(${eventCounts.count})` };
  return {
    async retained(cutoffMs) {
      const minute = ceilTo(cutoffMs, MINUTE_MS);
      const hour = ceilTo(cutoffMs, HOUR_MS);
      // Issued together: postgres.js pipelines them on one round trip's worth of waiting.
      const [hours, minutes, head] = await Promise.all([
        db
          .select(summed)
          .from(eventCounts)
          .where(and(eq(eventCounts.sizeMs, HOUR_MS), gte(eventCounts.startMs, hour)))
          .groupBy(eventCounts.entityType, eventCounts.action),
        db
          .select(summed)
          .from(eventCounts)
          .where(
            and(
              eq(eventCounts.sizeMs, MINUTE_MS),
              gte(eventCounts.startMs, minute),
              lt(eventCounts.startMs, hour),
            ),
          )
          .groupBy(eventCounts.entityType, eventCounts.action),
        minute > cutoffMs
          ? db
              .select({ entityType: events.entityType, action: events.action, count: count() })
              .from(events)
              .where(and(gte(events.receivedAt, cutoffMs), lt(events.receivedAt, minute)))
              .groupBy(events.entityType, events.action)
          : Promise.resolve([]),
      ]);
      const byPair = new Map<string, PairCount>();
      for (const row of [...hours, ...minutes, ...head]) {
        const key = `${row.entityType}\u0000${row.action}`;
        const pair = byPair.get(key) ?? { entityType: row.entityType, action: row.action, count: 0 };
        pair.count += Number(row.count);
        byPair.set(key, pair);
      }
      return [...byPair.values()].filter((pair) => pair.count > 0);
    },
    async oldestAtMs(cutoffMs) {
      const [row] = await db
        .select({ at: min(events.receivedAt) })
        .from(events)
        .where(gte(events.receivedAt, cutoffMs));
      return row?.at == null ? null : Number(row.at);
    },
  };
}

/** The count of a query that filters on action and entity type at most, from the counters. */
export async function countFromCounters(
  counters: CounterReads,
  query: EventQuery,
  cutoffMs: number,
): Promise<number> {
  let total = 0;
  for (const row of await counters.retained(cutoffMs)) {
    if (query.action && row.action !== query.action) continue;
    if (query.entityType && row.entityType !== query.entityType) continue;
    total += row.count;
  }
  return total;
}

/** The reads `stats` combines with the counters. */
export type StatsReads = Pick<EventReader, 'countEntities' | 'countRejections'>;

/** Creates `stats` over the counters and `reads`. */
export function createStats(ctx: PgContext, counters: CounterReads, reads: StatsReads): EventReader['stats'] {
  return async (cutoffMs): Promise<StoreStats> => {
    const [pairs, totalEntities, totalRejections, oldest, newest] = await Promise.all([
      counters.retained(cutoffMs),
      reads.countEntities(null, cutoffMs),
      reads.countRejections(cutoffMs),
      counters.oldestAtMs(cutoffMs),
      ctx.db.select({ at: max(events.receivedAt) }).from(events),
    ]);
    const byType = new Map<string, number>();
    const byActionMap = new Map<Action, number>();
    let total = 0;
    for (const { entityType, action, count: n } of pairs) {
      byType.set(entityType, (byType.get(entityType) ?? 0) + n);
      byActionMap.set(action, (byActionMap.get(action) ?? 0) + n);
      total += n;
    }
    const byEntityType = [...byType]
      .map(([entityType, n]) => ({ entityType, count: n }))
      .sort((a, b) => b.count - a.count || (a.entityType < b.entityType ? -1 : 1));
    const byAction = [...byActionMap]
      .map(([action, n]) => ({ action, count: n }))
      .sort((a, b) => (a.action < b.action ? -1 : 1));
    const newestAt = newest[0]?.at;
    return {
      totalEvents: total,
      totalEntities,
      totalRejections,
      byEntityType,
      byAction,
      oldestReceivedAtMs: oldest,
      newestReceivedAtMs: total === 0 || newestAt == null ? null : Number(newestAt),
    };
  };
}
