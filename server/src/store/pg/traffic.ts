import { and, count, eq, gte, lt } from 'drizzle-orm';
import {
  bucketCount,
  bucketStartMs,
  HOUR_MS,
  MAX_TRAFFIC_BUCKETS,
  MINUTE_MS,
  TRAFFIC_BUCKET_SIZES_MS,
} from '../../domain/traffic.js';
import type { EventReader, TrafficBucket, TrafficQuery } from '../types.js';
import type { PgContext } from './context.js';
import { events, rejections, trafficRejections, trafficSplits } from './schema.js';

// `traffic` over the trigger-kept counts (migration 0000): per-minute rows for buckets under an hour,
// per-hour rows for the others, per action and per entity type, as the SQLite store keeps them. The only
// events it counts are the expired ones, not retired yet, of the one bucket that straddles the cut-off.

/** The size of kept rows that a bucket of `bucketMs` is summed from. */
const keptSizeMs = (bucketMs: number): number => (bucketMs % HOUR_MS === 0 ? HOUR_MS : MINUTE_MS);

/** The value of `traffic_splits.split_by` for a split. */
const splitColumn = { action: 'action', entityType: 'entity_type' } as const;

/** Throws on a query outside the contract (a caller's bug: the API checks both before asking). */
function checkQuery(query: TrafficQuery, fromMs: number): void {
  if (!(TRAFFIC_BUCKET_SIZES_MS as readonly number[]).includes(query.bucketMs))
    throw new RangeError(`traffic: bucket size ${query.bucketMs} ms is not one of TRAFFIC_BUCKET_SIZES_MS`);
  if (bucketCount(fromMs, query.untilMs, query.bucketMs) > MAX_TRAFFIC_BUCKETS)
    throw new RangeError(`traffic: more than ${MAX_TRAFFIC_BUCKETS} buckets`);
}

/** Creates `traffic` over the kept counts. */
export function createTrafficReads(ctx: PgContext): Pick<EventReader, 'traffic'> {
  const { db } = ctx;
  return {
    async traffic(query, cutoffMs) {
      const { bucketMs, splitBy } = query;
      const sinceMs = Math.max(query.sinceMs, cutoffMs);
      checkQuery(query, sinceMs);
      const fromMs = bucketStartMs(sinceMs, bucketMs);
      const toMs = query.untilMs <= sinceMs ? fromMs : bucketStartMs(query.untilMs - 1, bucketMs) + bucketMs;
      const size = bucketCount(fromMs, toMs, bucketMs);
      if (size === 0) return [];
      const sizeMs = keptSizeMs(bucketMs);
      const straddles = cutoffMs > fromMs;
      const keyColumn = splitBy === 'action' ? events.action : events.entityType;
      const [kept, keptRefused, expired, expiredRefused] = await Promise.all([
        db
          .select({ startMs: trafficSplits.startMs, key: trafficSplits.key, count: trafficSplits.count })
          .from(trafficSplits)
          .where(
            and(
              eq(trafficSplits.sizeMs, sizeMs),
              eq(trafficSplits.splitBy, splitColumn[splitBy]),
              gte(trafficSplits.startMs, fromMs),
              lt(trafficSplits.startMs, toMs),
            ),
          ),
        db
          .select({ startMs: trafficRejections.startMs, count: trafficRejections.count })
          .from(trafficRejections)
          .where(
            and(
              eq(trafficRejections.sizeMs, sizeMs),
              gte(trafficRejections.startMs, fromMs),
              lt(trafficRejections.startMs, toMs),
            ),
          ),
        straddles
          ? db
              .select({ key: keyColumn, count: count() })
              .from(events)
              .where(and(gte(events.receivedAt, fromMs), lt(events.receivedAt, cutoffMs)))
              .groupBy(keyColumn)
          : Promise.resolve([]),
        straddles
          ? db
              .select({ count: count() })
              .from(rejections)
              .where(and(gte(rejections.receivedAt, fromMs), lt(rejections.receivedAt, cutoffMs)))
          : Promise.resolve([]),
      ]);
      const split: Map<string, number>[] = Array.from({ length: size }, () => new Map());
      const refused = new Array<number>(size).fill(0);
      const indexOf = (startMs: number) => Math.floor((startMs - fromMs) / bucketMs);
      for (const row of kept) {
        const counts = split[indexOf(row.startMs)];
        if (counts) counts.set(row.key, (counts.get(row.key) ?? 0) + row.count);
      }
      for (const row of keptRefused) {
        const i = indexOf(row.startMs);
        if (i < size) refused[i] = (refused[i] ?? 0) + row.count;
      }
      const first = split[0];
      if (first && straddles) {
        // The bucket that straddles the cut-off: its kept counts still hold the rows not retired yet.
        for (const row of expired) first.set(row.key, (first.get(row.key) ?? 0) - row.count);
        refused[0] = (refused[0] ?? 0) - (expiredRefused[0]?.count ?? 0);
      }
      return split.map((counts, i): TrafficBucket => {
        const keys: { key: string; count: number }[] = [];
        let total = 0;
        for (const [key, n] of counts) {
          if (n <= 0) continue;
          keys.push({ key, count: n });
          total += n;
        }
        keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        return { startMs: fromMs + i * bucketMs, count: total, split: keys, rejections: refused[i] ?? 0 };
      });
    },
  };
}
