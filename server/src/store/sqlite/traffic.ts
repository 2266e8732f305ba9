import type Database from 'better-sqlite3';
import { and, count, eq, gte, lt, sql } from 'drizzle-orm';
import { HOUR_MS, MINUTE_MS } from '../../domain/traffic.js';
import { sumTrafficBuckets, TRAFFIC_SPLIT_COLUMN, trafficWindow } from '../traffic-buckets.js';
import type { EventReader, TrafficQuery } from '../types.js';
import { ormOf, prepareRows, type Orm } from './orm.js';
import { asFragments } from './rows.js';
import { events, rejections, trafficRejections, trafficSplits } from './schema.js';

// `traffic` over the trigger-kept counts of the traffic migrations: per-minute rows for buckets under an
// hour, per-hour rows for the others, kept per action and per entity type (not per pair), so the widest
// window (7 days per hour) reads at most 168 rows per key of the split asked for. The only events it
// counts are the expired rows, not purged yet, of the one bucket that straddles the cut-off (at most one
// purge interval's worth, as `stats` does).

type SplitBy = TrafficQuery['splitBy'];

/** The kept rows of one size in [:from, :to): a range of the primary key. */
const keptWindow = (table: typeof trafficSplits | typeof trafficRejections) =>
  and(
    eq(table.sizeMs, sql.placeholder('size')),
    gte(table.startMs, sql.placeholder('from')),
    lt(table.startMs, sql.placeholder('to')),
  );

/** The kept rows of one split in a window, in primary-key order (summed into buckets by the caller). */
function prepareKeptRows(orm: Orm, splitBy: SplitBy) {
  const columns = { startMs: trafficSplits.startMs, key: trafficSplits.key, count: trafficSplits.count };
  // No GROUP BY: SQLite would sort the range in a temporary b-tree; summing the rows into a Map as they
  // come is cheaper (docs/performance.md, "Traffic query at 1M events").
  const query = orm
    .select(columns)
    .from(trafficSplits)
    .where(and(keptWindow(trafficSplits), eq(trafficSplits.splitBy, TRAFFIC_SPLIT_COLUMN[splitBy])));
  return prepareRows(orm, query, columns);
}

/** The refusals' kept rows of a window. */
function prepareKeptRejections(orm: Orm) {
  const columns = { startMs: trafficRejections.startMs, count: trafficRejections.count };
  const query = orm.select(columns).from(trafficRejections).where(keptWindow(trafficRejections));
  return prepareRows(orm, query, columns);
}

/** Stored events in [from, cutoff) per key: the expired rows the kept counts still hold. */
function prepareExpiredEvents(orm: Orm, splitBy: SplitBy) {
  const { key } = asFragments({ key: splitBy === 'action' ? events.action : events.entityType });
  return (
    orm
      .select({ key: sql<string>`${key}`, count: count() })
      // INDEXED BY (raw: drizzle has no word for it): a range over (received_at, id), as counts.ts does.
      .from(sql`${events} INDEXED BY ${sql.identifier('events_received_at_id_idx')}`)
      .where(
        and(
          gte(events.receivedAt, sql.placeholder('from')),
          lt(events.receivedAt, sql.placeholder('cutoff')),
        ),
      )
      .groupBy(key)
      .prepare()
  );
}

/** Stored refusals in [from, cutoff). */
function prepareExpiredRejections(orm: Orm) {
  return orm
    .select({ count: count() })
    .from(rejections)
    .where(
      and(
        gte(rejections.receivedAt, sql.placeholder('from')),
        lt(rejections.receivedAt, sql.placeholder('cutoff')),
      ),
    )
    .prepare();
}

/** Creates `traffic` over the kept counts. */
export function createTrafficReads(orm: Orm): Pick<EventReader, 'traffic'> {
  const keptRows = { action: prepareKeptRows(orm, 'action'), entityType: prepareKeptRows(orm, 'entityType') };
  const keptRejections = prepareKeptRejections(orm);
  const expired = {
    action: prepareExpiredEvents(orm, 'action'),
    entityType: prepareExpiredEvents(orm, 'entityType'),
  };
  const expiredRejections = prepareExpiredRejections(orm);
  return {
    async traffic(query, cutoffMs) {
      const { splitBy } = query;
      const window = trafficWindow(query, cutoffMs);
      if (window.size === 0) return [];
      const params = { size: window.keptSizeMs, from: window.fromMs, to: window.toMs };
      const expiredWindow = { from: window.fromMs, cutoff: cutoffMs };
      return sumTrafficBuckets(window, {
        kept: keptRows[splitBy].all(params),
        keptRejections: keptRejections.all(params),
        expired: window.straddles ? expired[splitBy].all(expiredWindow) : [],
        expiredRejections: window.straddles ? (expiredRejections.get(expiredWindow)?.count ?? 0) : 0,
      });
    },
  };
}

/**
 * Rebuilds the events' kept traffic counts from the rows (the migration's backfill), for a bulk load that
 * dropped the triggers on `events` while it wrote (the bench's seed).
 */
export function rebuildEventTraffic(db: Database.Database): void {
  const orm = ormOf(db);
  orm.delete(trafficSplits).run();
  for (const sizeMs of [MINUTE_MS, HOUR_MS]) {
    for (const splitBy of ['action', 'entityType'] as const) {
      // The size inlined as an integer literal (raw): bound, it would be a REAL (see bucketOf).
      const size = sql.raw(String(sizeMs));
      const start = sql<number>`(${events.receivedAt} / ${size}) * ${size}`;
      const key = splitBy === 'action' ? events.action : events.entityType;
      orm
        .insert(trafficSplits)
        .select(
          orm
            .select({
              sizeMs: sql<number>`${size}`.as('size_ms'),
              splitBy: sql<string>`${TRAFFIC_SPLIT_COLUMN[splitBy]}`.as('split_by'),
              startMs: start.as('start_ms'),
              key: sql<string>`${key}`.as('key'),
              count: count().as('count'),
            })
            .from(events)
            .groupBy(start, key),
        )
        .run();
    }
  }
}
