import type Database from 'better-sqlite3';
import type { Action } from '../../domain/types.js';
import type { EventQuery, Store, StoreStats } from '../types.js';
import type { StatementCache } from './statements.js';

/** The number of stored events (expired or not), kept in step by commits, evictions and purges. */
export interface EventTally {
  storedEvents: number;
}

/**
 * Counts the stored events once at open, from the trigger-kept counters (a COUNT(*) scanned the whole
 * table at every start); commits and purges then keep the tally in step, with no COUNT(*) per commit.
 */
export function openEventTally(db: Database.Database): EventTally {
  const row = db.prepare('SELECT coalesce(sum(count), 0) AS n FROM event_counts').get() as { n: number };
  return { storedEvents: row.n };
}

type Prepare = StatementCache['prepare'];

interface PairCount {
  entityType: string;
  action: Action;
  count: number;
}

/**
 * Retained events per (entity type, action): the trigger-kept totals minus the rows past the cut-off
 * that the purge has not deleted yet (a range over the received_at index that only spans those rows).
 */
export function retainedCounts(prepare: Prepare, cutoffMs: number): PairCount[] {
  const totals = prepare(
    'SELECT entity_type AS entityType, action, count FROM event_counts WHERE count > 0',
  ).all() as PairCount[];
  const expired = prepare(
    // INDEXED BY: left alone, the planner walks a (type|action, ...) index whole to avoid sorting the groups.
    'SELECT entity_type AS entityType, action, count(*) AS count FROM events INDEXED BY events_received_at_id_idx WHERE received_at < ? GROUP BY entity_type, action',
  ).all(cutoffMs) as PairCount[];
  const expiredBy = new Map(expired.map((row) => [`${row.entityType}\u0000${row.action}`, row.count]));
  return totals
    .map((row) => ({
      ...row,
      count: row.count - (expiredBy.get(`${row.entityType}\u0000${row.action}`) ?? 0),
    }))
    .filter((row) => row.count > 0);
}

/** The count of a query that filters on action and entity type at most, from the counters. */
export function countFromCounters(prepare: Prepare, query: EventQuery, cutoffMs: number): number {
  let total = 0;
  for (const row of retainedCounts(prepare, cutoffMs)) {
    if (query.action && row.action !== query.action) continue;
    if (query.entityType && row.entityType !== query.entityType) continue;
    total += row.count;
  }
  return total;
}

/** The reads `stats` combines with the counters. */
export type StatsReads = Pick<Store, 'countEntities' | 'countRejections' | 'lastReceivedAtMs'>;

/** Creates `stats` over the counters and `reads`. */
export function createStats(prepare: Prepare, reads: StatsReads): Store['stats'] {
  return async (cutoffMs): Promise<StoreStats> => {
    const pairs = retainedCounts(prepare, cutoffMs);
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
    const newestAt = await reads.lastReceivedAtMs();
    return {
      totalEvents: total,
      totalEntities: await reads.countEntities(null, cutoffMs),
      totalRejections: await reads.countRejections(cutoffMs),
      byEntityType,
      byAction,
      oldestReceivedAtMs: oldest.at,
      newestReceivedAtMs: total === 0 ? null : newestAt,
    };
  };
}
