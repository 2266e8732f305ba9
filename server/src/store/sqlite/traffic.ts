import type Database from 'better-sqlite3';
import { and, count, eq, gte, lt, sql } from 'drizzle-orm';
import {
  bucketCount,
  bucketStartMs,
  HOUR_MS,
  MAX_TRAFFIC_BUCKETS,
  MINUTE_MS,
  TRAFFIC_BUCKET_SIZES_MS,
} from '../../domain/traffic.js';
import type { EventReader, TrafficBucket, TrafficQuery } from '../types.js';
import { ormOf, prepareRows, type Orm } from './orm.js';
import { asFragments } from './rows.js';
import { events, rejections, trafficRejections, trafficSplits } from './schema.js';

// `traffic` over the trigger-kept counts of the traffic migrations: per-minute rows for buckets under an
// hour, per-hour rows for the others, kept per action and per entity type (not per pair), so the widest
// window (7 days per hour) reads at most 168 rows per key of the split asked for. The only events it
// counts are the expired rows, not purged yet, of the one bucket that straddles the cut-off (at most one
// purge interval's worth, as `stats` does).

/** The size of kept rows that a bucket of `bucketMs` is summed from. */
const keptSizeMs = (bucketMs: number): number => (bucketMs % HOUR_MS === 0 ? HOUR_MS : MINUTE_MS);

type SplitBy = TrafficQuery['splitBy'];

/** The kept rows of one size in [:from, :to): a range of the primary key. */
const keptWindow = (table: typeof trafficSplits | typeof trafficRejections) =>
  and(
    eq(table.sizeMs, sql.placeholder('size')),
    gte(table.startMs, sql.placeholder('from')),
    lt(table.startMs, sql.placeholder('to')),
  );

/** The column of `traffic_splits.split_by` for a split. */
const splitColumn = { action: 'action', entityType: 'entity_type' } as const;

/** The kept rows of one split in a window, in primary-key order (summed into buckets by the caller). */
function prepareKeptRows(orm: Orm, splitBy: SplitBy) {
  const columns = { startMs: trafficSplits.startMs, key: trafficSplits.key, count: trafficSplits.count };
  // No GROUP BY: SQLite would sort the range in a temporary b-tree; summing the rows into a Map as they
  // come is cheaper (docs/performance.md, "Traffic query at 1M events").
  const query = orm
    .select(columns)
    .from(trafficSplits)
    .where(and(keptWindow(trafficSplits), eq(trafficSplits.splitBy, splitColumn[splitBy])));
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

/** Throws on a query outside the contract (a caller's bug: the API checks both before asking). */
function checkQuery(query: TrafficQuery, fromMs: number): void {
  if (!(TRAFFIC_BUCKET_SIZES_MS as readonly number[]).includes(query.bucketMs))
    throw new RangeError(`traffic: bucket size ${query.bucketMs} ms is not one of TRAFFIC_BUCKET_SIZES_MS`);
  if (bucketCount(fromMs, query.untilMs, query.bucketMs) > MAX_TRAFFIC_BUCKETS)
    throw new RangeError(`traffic: more than ${MAX_TRAFFIC_BUCKETS} buckets`);
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
      const { bucketMs, splitBy } = query;
      const sinceMs = Math.max(query.sinceMs, cutoffMs);
      checkQuery(query, sinceMs);
      const fromMs = bucketStartMs(sinceMs, bucketMs);
      const toMs = query.untilMs <= sinceMs ? fromMs : bucketStartMs(query.untilMs - 1, bucketMs) + bucketMs;
      // Buckets by index ((start - from) / size): an array, not a Map keyed by start (measured: the
      // per-row lookups were a third of the read at 361 buckets × 5 keys).
      const size = bucketCount(fromMs, toMs, bucketMs);
      if (size === 0) return [];
      const split: Map<string, number>[] = Array.from({ length: size }, () => new Map());
      const refused = new Array<number>(size).fill(0);
      const indexOf = (startMs: number) => Math.floor((startMs - fromMs) / bucketMs);
      const params = { size: keptSizeMs(bucketMs), from: fromMs, to: toMs };
      for (const row of keptRows[splitBy].all(params)) {
        const counts = split[indexOf(row.startMs)];
        if (counts) counts.set(row.key, (counts.get(row.key) ?? 0) + row.count);
      }
      for (const row of keptRejections.all(params)) {
        const i = indexOf(row.startMs);
        if (i < size) refused[i] = (refused[i] ?? 0) + row.count;
      }
      const first = split[0];
      if (first && cutoffMs > fromMs) {
        // The bucket that straddles the cut-off: its kept counts still hold the rows not purged yet.
        const window = { from: fromMs, cutoff: cutoffMs };
        for (const row of expired[splitBy].all(window))
          first.set(row.key, (first.get(row.key) ?? 0) - row.count);
        refused[0] = (refused[0] ?? 0) - (expiredRejections.get(window)?.count ?? 0);
      }
      return split.map((counts, i): TrafficBucket => {
        const kept: { key: string; count: number }[] = [];
        let total = 0;
        for (const [key, count] of counts) {
          if (count <= 0) continue;
          kept.push({ key, count });
          total += count;
        }
        kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        return { startMs: fromMs + i * bucketMs, count: total, split: kept, rejections: refused[i] ?? 0 };
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
              splitBy: sql<string>`${splitColumn[splitBy]}`.as('split_by'),
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
