import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, gte, lt, sql } from 'drizzle-orm';
import { SCHEMA_BUCKET_MS } from '../../domain/schema-learning.js';
import { createPeriodicJob } from '../../shared/periodic-job.js';
import type { Eviction, Maintenance, MaintenanceOptions, PurgeReport } from '../types.js';
import type { ReservedSql } from 'postgres';
import type { PgContext } from './context.js';
import { withClassifiedFailures } from './errors.js';
import {
  DAY_MS,
  dayStartMs,
  PARTITION_DAYS_AHEAD,
  listPartitions,
  plainDb,
  sqlStateOf,
  type Partitions,
} from './partitions.js';
import { removeEvents } from './removal.js';
import {
  deliveries,
  entities,
  eventCounts,
  eventDeliveryIds,
  events,
  rejections,
  schemaBuckets,
  trafficRejections,
  trafficSplits,
} from './schema.js';

// The PostgreSQL store's upkeep, behind `startMaintenance` (the contract). One replica at a time runs
// it: each run tries a session advisory lock (`ctx.locks.maintenance`) on a reserved connection and,
// when another replica holds it, does nothing. A run:
// 1. creates the day partitions ahead (partitions.ts: ATTACH, which never blocks inserts);
// 2. finishes what an interrupted run left: a partition in the "detach pending" state (DETACH …
//    FINALIZE) and a detached table not dropped yet;
// 3. retires every day partition wholly before the cut-off: `DETACH PARTITION … CONCURRENTLY` (a plain
//    DETACH or DROP takes ACCESS EXCLUSIVE on the parent, and every insert and read queues behind it),
//    under a short lock_timeout with retries, then deletes what the day leaves in other tables (attempts,
//    dedupe rows, entities) in short batches and, in one transaction, the day's counter rows and DROP
//    TABLE of the detached table (a DROP fires no trigger: the counters must go with it);
// 4. deletes the expired rows of the day that straddles the cut-off, in short batches (the statement
//    triggers keep the counters), then expired refusals, entities, sparkline hours,
//    and the counter rows of buckets wholly before the cut-off once they are zero.
// Reads never depend on any of it: every read applies the cut-off (a partition pending detach is already
// invisible to new queries). Raw SQL where drizzle has no word: partition DDL, advisory locks, SET,
// ctid batches.

/** Tuning of the retirement (tests shorten it). */
export interface MaintenanceTuning {
  /**
   * lock_timeout of each DETACH / FINALIZE / DROP statement: the longest a queued ACCESS EXCLUSIVE lock
   * on a partition can hold up a query that locks it (a cached generic plan locks every partition it
   * was planned with), so the bound on what a retirement can stall.
   */
  lockTimeoutMs?: number;
  /** DETACH / FINALIZE statements tried per partition and run before it is left to the next run. */
  ddlAttempts?: number;
  /** Pause between two attempts, and between two looks at the open transactions. */
  ddlRetryPauseMs?: number;
  /** The longest a run waits for the transactions older than a pending detach before leaving it. */
  detachWaitMs?: number;
  /** Rows per DELETE statement of the batched steps. */
  batchRows?: number;
  /** Expired events removed per purge step (one transaction, with their attempts and dedupe rows). */
  purgeStepEvents?: number;
}

/** Defaults: a queued lock never stalls traffic longer than the lock_timeout; old readers are waited out. */
const DEFAULT_TUNING: Required<MaintenanceTuning> = {
  lockTimeoutMs: 50,
  ddlAttempts: 20,
  ddlRetryPauseMs: 50,
  detachWaitMs: 30_000,
  batchRows: 1_000,
  purgeStepEvents: 500,
};

/** The store's side of its maintenance. */
export interface MaintenanceParts {
  /** Starts the maintenance (once per store). */
  startMaintenance(options: MaintenanceOptions): Maintenance;
  /** Tells the running maintenance's `onEvicted` (the writer calls it after a commit that evicted). */
  reportEviction(eviction: Eviction): void;
}

/** SQLSTATE 55P03 (lock_timeout) and 57014 (canceled): an attempt that may succeed later. */
const isLockTimeout = (error: unknown): boolean => {
  const code = sqlStateOf(error);
  return code === '55P03' || code === '57014';
};

const HOUR_MS = 3_600_000;

/** A day partition to retire, or a detached table left to drop. */
interface Retiring {
  name: string;
  startMs: number;
}

/**
 * Waits after a batched step that took `stepMs`: at least PURGE_MIN_PAUSE_MS and twice the step, so that
 * upkeep takes at most a third of the database's time from the webhooks (SQLite's purge paces the same).
 */
const pace = (stepMs: number, signal?: AbortSignal): Promise<unknown> =>
  sleep(Math.max(PURGE_MIN_PAUSE_MS, 2 * stepMs), undefined, { signal }).catch(() => undefined);

/** The shortest pause between two batched steps of upkeep. */
export const PURGE_MIN_PAUSE_MS = 10;

/** Creates the upkeep of the store; nothing runs until `startMaintenance`. */
export function createMaintenance(
  ctx: PgContext,
  partitions: Partitions,
  tuning: MaintenanceTuning = {},
): MaintenanceParts {
  const db = plainDb(ctx);
  const t = { ...DEFAULT_TUNING, ...tuning };
  let running: MaintenanceOptions | null = null;
  let started = false;

  /** Whether the partition `name` is attached and in the "detach pending" state. */
  async function isDetachPending(name: string): Promise<boolean> {
    const rows = await db.execute<{ pending: boolean }>(sql`
      SELECT i.inhdetachpending AS pending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'events'::regclass AND c.relname = ${name}`);
    return rows[0]?.pending === true;
  }

  /**
   * Whether every other client transaction of this database began less than `ageMs` ago (a role that
   * may not read other roles' pg_stat_activity rows sees none: FINALIZE's lock_timeout still bounds it).
   */
  async function onlyYoungTransactions(ageMs: number): Promise<boolean> {
    const rows = await db.execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        AND xact_start < clock_timestamp() - make_interval(secs => ${ageMs / 1000})`);
    return rows[0]?.n === 0;
  }

  /**
   * Detaches the partition `name` from `events` on `conn` (outside any transaction), under the
   * connection's lock_timeout. DETACH … CONCURRENTLY waits for the transactions using `events` holding
   * nothing that blocks them; when it times out it leaves the partition "detach pending", and FINALIZE
   * finishes it. FINALIZE takes ACCESS EXCLUSIVE on the partition first and then waits for older
   * snapshots, so it is only sent once every open transaction is young (older ones are waited out here,
   * holding nothing). False, reported through onError, when the attempts or the wait ran out: the next
   * run finishes it.
   */
  async function detach(conn: ReservedSql, name: string, signal: AbortSignal): Promise<boolean> {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const deadline = performance.now() + t.detachWaitMs;
    const pause = () => sleep(t.ddlRetryPauseMs, undefined, { signal }).catch(() => undefined);
    for (let attempt = 1; ; attempt++) {
      const pending = await isDetachPending(name);
      while (pending && !(await onlyYoungTransactions(t.lockTimeoutMs / 2))) {
        if (performance.now() >= deadline || signal.aborted) {
          running?.onError?.(
            new Error(`partition ${name} is left detach-pending: transactions older than it are still open`),
          );
          return false;
        }
        await pause();
      }
      try {
        // Raw: partition DDL has no drizzle word.
        await conn.unsafe(
          `ALTER TABLE events DETACH PARTITION ${quoted} ${pending ? 'FINALIZE' : 'CONCURRENTLY'}`,
        );
        return true;
      } catch (error) {
        if (!isLockTimeout(error)) throw error;
        if (attempt >= t.ddlAttempts || performance.now() >= deadline || signal.aborted) {
          running?.onError?.(error);
          return false;
        }
        await pause();
      }
    }
  }

  /** Deletes rows of `table` matching `where` in batches of one short transaction each; the rows deleted. */
  async function inBatches(table: string, where: ReturnType<typeof sql>): Promise<number> {
    let total = 0;
    for (;;) {
      const stepFrom = performance.now();
      // Raw: a ctid batch (DELETE has no LIMIT) has no drizzle word.
      const rows = await db.execute(sql`
        DELETE FROM ${sql.identifier(table)} WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM ${sql.identifier(table)} WHERE ${where} LIMIT ${t.batchRows}))
        RETURNING 1`);
      total += rows.length;
      if (rows.length < t.batchRows) return total;
      await pace(performance.now() - stepFrom);
    }
  }

  /**
   * After a day left `events` (detached): deletes what it leaves elsewhere, then its counter rows and its
   * table in one transaction. Answers the events it held (from the counters, before they go).
   */
  async function dropDetached(day: Retiring): Promise<number> {
    const endMs = day.startMs + DAY_MS;
    await inBatches(
      'deliveries',
      sql`${deliveries.eventReceivedAt} >= ${day.startMs} AND ${deliveries.eventReceivedAt} < ${endMs}`,
    );
    await inBatches(
      'event_delivery_ids',
      sql`${eventDeliveryIds.receivedAt} >= ${day.startMs} AND ${eventDeliveryIds.receivedAt} < ${endMs}`,
    );
    // An entity whose latest event was in this day (or before) has no event left.
    await inBatches('entities', sql`${entities.lastReceivedAt} < ${endMs}`);
    return ctx.transaction(async (tx) => {
      const [row] = await tx.db
        .select({ n: sql<string>`coalesce(sum(${eventCounts.count}), 0)` })
        .from(eventCounts)
        .where(
          and(
            sql`${eventCounts.sizeMs} = ${HOUR_MS}`,
            gte(eventCounts.startMs, day.startMs),
            lt(eventCounts.startMs, endMs),
          ),
        );
      await tx.db
        .delete(eventCounts)
        .where(and(gte(eventCounts.startMs, day.startMs), lt(eventCounts.startMs, endMs)));
      await tx.db
        .delete(trafficSplits)
        .where(and(gte(trafficSplits.startMs, day.startMs), lt(trafficSplits.startMs, endMs)));
      // Last, so that the table's ACCESS EXCLUSIVE lock is held only until the commit.
      await tx.db.execute(
        sql`SET LOCAL lock_timeout = ${sql.raw(String(Math.max(1, Math.trunc(t.lockTimeoutMs))))}`,
      );
      await tx.db.execute(sql`DROP TABLE IF EXISTS ${sql.identifier(day.name)}`);
      partitions.forget(day.startMs);
      return Number(row?.n ?? 0);
    });
  }

  /** Detached tables of `events` not dropped yet (an interrupted run): same name pattern, no parent. */
  async function orphans(): Promise<Retiring[]> {
    const rows = await db.execute<{ name: string }>(sql`
      SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'events'::regclass)
        AND c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ '^events_p[0-9]{8}$'`);
    return rows.map((row) => {
      const d = row.name.slice('events_p'.length);
      return {
        name: row.name,
        startMs: Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))),
      };
    });
  }

  /** Retires every day wholly before `cutoffMs`; answers the events they held. */
  async function retireDays(conn: ReservedSql, cutoffMs: number, signal: AbortSignal): Promise<number> {
    let removed = 0;
    await conn.unsafe(`SET lock_timeout = ${Math.max(1, Math.trunc(t.lockTimeoutMs))}`);
    try {
      // Only days wholly before the cut-off: a table of a day ahead may be one another replica has just
      // created and not attached yet.
      for (const orphan of await orphans()) {
        if (orphan.startMs + DAY_MS <= cutoffMs) removed += await dropDetached(orphan);
      }
      for (const day of await listPartitions(db)) {
        if (signal.aborted) break;
        // A pending one (an interrupted run) is finished whatever the cut-off: reads no longer see it.
        if (!day.detachPending && day.startMs + DAY_MS > cutoffMs) continue;
        if (!(await detach(conn, day.name, signal))) continue;
        removed += await dropDetached({ name: day.name, startMs: day.startMs });
      }
    } finally {
      await conn.unsafe('RESET lock_timeout');
    }
    return removed;
  }

  /**
   * Deletes the expired rows of the day that straddles the cut-off, in short steps (a whole day that
   * could not be detached this time is left to the next run's DETACH, not deleted row by row).
   */
  async function purgeRows(cutoffMs: number, signal: AbortSignal): Promise<PurgeReport> {
    const report: PurgeReport = { eventCount: 0, rejectionCount: 0, beforeMs: cutoffMs };
    const fromMs = dayStartMs(cutoffMs);
    for (;;) {
      // Not under the ingest lock: expired rows are never a commit's (their counter buckets, dedupe rows
      // and attempts are not the ones an insert touches), so webhooks never wait for a purge step.
      const stepFrom = performance.now();
      const gone = await ctx.transaction(async (tx) => {
        return removeEvents(
          tx.db,
          sql`SELECT id, received_at FROM ${events} WHERE received_at >= ${fromMs} AND received_at < ${cutoffMs}
              ORDER BY received_at LIMIT ${t.purgeStepEvents}`,
          false,
        );
      });
      report.eventCount += gone.length;
      if (gone.length < t.purgeStepEvents || signal.aborted) break;
      await pace(performance.now() - stepFrom, signal);
    }
    report.rejectionCount = await inBatches('rejections', sql`${rejections.receivedAt} < ${cutoffMs}`);
    await inBatches('entities', sql`${entities.lastReceivedAt} < ${cutoffMs}`);
    await inBatches(
      'schema_buckets',
      sql`${schemaBuckets.startAt} < ${Math.floor(cutoffMs / SCHEMA_BUCKET_MS) * SCHEMA_BUCKET_MS}`,
    );
    // Buckets wholly before the cut-off hold nothing once their rows are gone (a day pending detach
    // still has its counts: they go with its table).
    await inBatches(
      'event_counts',
      sql`${eventCounts.count} = 0 AND ${eventCounts.startMs} + ${eventCounts.sizeMs} <= ${cutoffMs}`,
    );
    await inBatches(
      'traffic_splits',
      sql`${trafficSplits.count} = 0 AND ${trafficSplits.startMs} + ${trafficSplits.sizeMs} <= ${cutoffMs}`,
    );
    await inBatches(
      'traffic_rejections',
      sql`${trafficRejections.count} = 0 AND ${trafficRejections.startMs} + ${trafficRejections.sizeMs} <= ${cutoffMs}`,
    );
    return report;
  }

  /** One run, when this replica gets the maintenance lock (else an empty report). */
  async function run(cutoffMs: number, signal: AbortSignal): Promise<PurgeReport> {
    const empty: PurgeReport = { eventCount: 0, rejectionCount: 0, beforeMs: cutoffMs };
    // A connection of its own: the session lock and lock_timeout stay on it, and DETACH … CONCURRENTLY
    // must run outside any transaction. Raw driver calls: drizzle cannot wrap a reserved connection.
    const conn = await ctx.sessions.reserve();
    try {
      const [k0, k1] = ctx.locks.maintenance;
      const [got] = await conn<
        { ok: boolean }[]
      >`SELECT pg_try_advisory_lock(${k0}::int4, ${k1}::int4) AS ok`;
      if (!got?.ok) return empty;
      try {
        const now = Date.now();
        await partitions.ensure(Array.from({ length: PARTITION_DAYS_AHEAD + 1 }, (_, i) => now + i * DAY_MS));
        const retired = await retireDays(conn, cutoffMs, signal);
        const rows = await purgeRows(cutoffMs, signal);
        return { ...rows, eventCount: rows.eventCount + retired };
      } finally {
        await conn`SELECT pg_advisory_unlock(${k0}::int4, ${k1}::int4)`;
      }
    } finally {
      conn.release();
    }
  }

  return {
    reportEviction(eviction) {
      running?.onEvicted?.(eviction);
    },
    startMaintenance(options) {
      if (started) throw new Error('maintenance is already started for this store');
      started = true;
      running = options;
      const job = createPeriodicJob({
        intervalMs: options.purgeIntervalMs,
        run: withClassifiedFailures(async (signal: AbortSignal) => {
          const report = await run(options.cutoffMs(), signal);
          if (report.eventCount + report.rejectionCount > 0) options.onPurged?.(report);
          return report;
        }),
        onError: options.onError,
      });
      job.start();
      return {
        runNow: job.runNow,
        async stop() {
          await job.stop();
          running = null;
        },
      };
    },
  };
}
