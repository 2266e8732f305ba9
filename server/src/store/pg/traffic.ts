import { and, count, eq, gte, lt } from 'drizzle-orm';
import { sumTrafficBuckets, TRAFFIC_SPLIT_COLUMN, trafficWindow } from '../traffic-buckets.js';
import type { EventReader } from '../types.js';
import type { PgContext } from './context.js';
import { events, rejections, trafficRejections, trafficSplits } from './schema.js';

// `traffic` over the trigger-kept counts (migration 0000): per-minute rows for buckets under an hour,
// per-hour rows for the others, per action and per entity type, as the SQLite store keeps them. The only
// events it counts are the expired ones, not retired yet, of the one bucket that straddles the cut-off.

/** Creates `traffic` over the kept counts. */
export function createTrafficReads(ctx: PgContext): Pick<EventReader, 'traffic'> {
  const { db } = ctx;
  return {
    async traffic(query, cutoffMs) {
      const { splitBy } = query;
      const window = trafficWindow(query, cutoffMs);
      const { fromMs, toMs, keptSizeMs: sizeMs, straddles } = window;
      if (window.size === 0) return [];
      const keyColumn = splitBy === 'action' ? events.action : events.entityType;
      const [kept, keptRefused, expired, expiredRefused] = await Promise.all([
        db
          .select({ startMs: trafficSplits.startMs, key: trafficSplits.key, count: trafficSplits.count })
          .from(trafficSplits)
          .where(
            and(
              eq(trafficSplits.sizeMs, sizeMs),
              eq(trafficSplits.splitBy, TRAFFIC_SPLIT_COLUMN[splitBy]),
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
      return sumTrafficBuckets(window, {
        kept,
        keptRejections: keptRefused,
        expired,
        expiredRejections: expiredRefused[0]?.count ?? 0,
      });
    },
  };
}
