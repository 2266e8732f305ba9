import type Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { createPeriodicJob } from '../../shared/periodic-job.js';
import { SCHEMA_BUCKET_MS } from '../../domain/schema-learning.js';
import type { Eviction, Maintenance, MaintenanceOptions, PurgeReport } from '../types.js';
import { HOUR_MS, MINUTE_MS } from '../../domain/traffic.js';
import type { EventTally } from './counts.js';
import { withClassifiedFailures } from './errors.js';
import { clampSearchMark, dropStaleSearchBucket, indexSearchStepUnsynced } from './search.js';
import type { StatementCache } from './statements.js';

// The SQLite store's upkeep, all of it behind `startMaintenance` (the contract): the paced purge and
// the incremental vacuum after it, the background search indexing, and the eviction reports. Every
// step is one short transaction on the store's connection, since a step blocks the event loop.

/** Rows per DELETE statement inside a purge step: small, so that the time budget is checked often. */
export const PURGE_BATCH_SIZE = 100;
/**
 * Work per purge step (one transaction, one FULL commit) before yielding to the event loop. Fixed row
 * counts stalled it: what a row costs depends on the cache and on the five indexes it touches (see
 * docs/performance.md, Design choices, "Purge bounded by time, and paced").
 */
export const PURGE_STEP_MAX_MS = 4;
/** Free pages released per incremental-vacuum step. */
export const VACUUM_PAGES_PER_STEP = 128;
/**
 * Pause after each purge or vacuum step: at least this, and at least twice what the step took. A backlog
 * purged flat out kept the disk saturated, and the kernel then throttled every write of the process, the
 * webhooks' commits included. Expired rows are already invisible to every read, so the purge can take its
 * time (docs/performance.md, Design choices, "Purge bounded by time, and paced").
 */
export const PURGE_MIN_PAUSE_MS = 10;
/**
 * How often the indexer looks for rows to index. Batching is the point: FTS5 writes one segment per
 * step's commit, and large steps cost a fraction per row of one step per group commit. The rows that
 * arrive in between are the unindexed tail every search LIKE-scans: about a second of ingest
 * (docs/performance.md, Design choices, "Search", "The job").
 */
export const SEARCH_INDEX_INTERVAL_MS = 1_000;
/** Work per indexing step (one transaction) before yielding: keeps the event loop's stalls short. */
export const SEARCH_INDEX_STEP_MAX_MS = 20;
/**
 * Event-loop utilisation over the last interval above which a timed indexing pass is put off: indexing
 * runs on the event loop, which under a burst of webhooks is ingest capacity. The rows of a burst are
 * indexed once it has passed; searches meanwhile scan the unindexed tail (exact, only slower).
 */
export const SEARCH_INDEX_BUSY_UTILIZATION = 0.7;
/** Passes put off in a row at most: under sustained load the index still catches up every 30 intervals. */
export const SEARCH_INDEX_MAX_DEFERRALS = 30;

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
  // An entity whose latest event is the last one evicted has its time but no event left: hence the =.
  const evictEntitiesStatement = db.prepare(
    `DELETE FROM entities WHERE last_received_at <= @at
       AND (last_received_at < @at OR NOT EXISTS (SELECT 1 FROM events WHERE events.entity_id = entities.id))`,
  );
  return (count) => {
    const excess = count - maxStoredEvents;
    if (maxStoredEvents === 0 || excess <= 0) return null;
    const last = oldestEventsStatement.get(excess - 1) as { received_at: number; id: string } | undefined;
    if (!last) return null;
    const removed = evictEventsStatement.run(last.received_at, last.id).changes;
    evictEntitiesStatement.run({ at: last.received_at });
    return { eventCount: removed, beforeMs: last.received_at };
  };
}

/** Rows removed by one purge step. */
interface PurgeStep {
  events: number;
  rejections: number;
  /** True when nothing expired is left (as of this step's cut-off). */
  done: boolean;
  /** True when the step dropped a stale search-index bucket (space to give back) instead of rows. */
  indexDropped?: boolean;
}

/**
 * Creates the purge step: it deletes expired events (and expired rejections and entities) in one short
 * transaction, chunks of `batchSize` rows until nothing expired is left or `maxMs` of work is spent (at
 * least one chunk); it keeps `tally` in step with what it deletes, and calls `afterEventsRemoved` in the
 * transaction when it deleted events.
 */
function createPurgeStep(
  db: Database.Database,
  prepare: StatementCache['prepare'],
  tally: EventTally,
  afterEventsRemoved: () => void,
) {
  return (cutoffMs: number, batchSize: number, maxMs: number): PurgeStep => {
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
    // Learned schemas: sparkline hours that end before the cut-off (a small table, one statement).
    const deleteSchemaBuckets = prepare('DELETE FROM schema_buckets WHERE start_at < ?');
    // The traffic counts of buckets wholly before the cut-off (zero once their rows are gone), one size
    // (and split) at a time so that each is a range of the primary key (the tables are WITHOUT ROWID).
    const forgetTraffic = [
      ...[MINUTE_MS, HOUR_MS].flatMap((sizeMs) =>
        ['action', 'entity_type'].map((splitBy) =>
          prepare(
            `DELETE FROM traffic_splits WHERE (size_ms, split_by, start_ms, key) IN (SELECT size_ms, split_by, start_ms, key FROM traffic_splits WHERE size_ms = ${sizeMs} AND split_by = '${splitBy}' AND start_ms <= ? - ${sizeMs} LIMIT ?)`,
          ),
        ),
      ),
      ...[MINUTE_MS, HOUR_MS].map((sizeMs) =>
        prepare(
          `DELETE FROM traffic_rejections WHERE (size_ms, start_ms) IN (SELECT size_ms, start_ms FROM traffic_rejections WHERE size_ms = ${sizeMs} AND start_ms <= ? - ${sizeMs} LIMIT ?)`,
        ),
      ),
    ];
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
        // Only once no expired row is left (in this transaction): until then the traffic read subtracts
        // the expired rows from the counts, which must still hold them.
        const traffic =
          events < batchSize && rejections < batchSize
            ? Math.max(...forgetTraffic.map((statement) => statement.run(cutoffMs, batchSize).changes))
            : batchSize;
        if (events < batchSize && entities < batchSize && rejections < batchSize && traffic < batchSize) {
          removed.done = true;
          break;
        }
        if (performance.now() - started >= maxMs) break;
      }
      if (removed.events > 0) {
        clampSearchMark(db);
        afterEventsRemoved();
      }
      deleteSchemaBuckets.run(Math.floor(cutoffMs / SCHEMA_BUCKET_MS) * SCHEMA_BUCKET_MS);
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

/** Gives up to `maxPages` free pages back to the file system; returns the pages released. */
function releaseSpace(db: Database.Database, maxPages: number): number {
  const before = (db.pragma('freelist_count', { simple: true }) as number) ?? 0;
  if (before === 0) return 0;
  db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
  const after = (db.pragma('freelist_count', { simple: true }) as number) ?? 0;
  return before - after;
}

/** Waits after a step that took `stepMs`, so that upkeep never takes more than a third of the disk's time. */
const pauseAfter = (stepMs: number, signal: AbortSignal): Promise<unknown> =>
  sleep(Math.max(PURGE_MIN_PAUSE_MS, 2 * stepMs), undefined, { signal }).catch(() => undefined);

/** The SQLite store's maintenance: the contract's, plus indexing on demand. */
export interface SqliteMaintenance extends Maintenance {
  /** Indexes every stored row not yet indexed for search, step by step; resolves with the rows indexed. */
  indexNow(): Promise<number>;
}

/** Tuning of the background search indexing (tests shorten it). */
export interface SearchIndexTuning {
  searchIndexIntervalMs?: number;
  searchIndexStepMaxMs?: number;
}

/** The store's side of its maintenance. */
export interface MaintenanceParts {
  startMaintenance(options: MaintenanceOptions): SqliteMaintenance;
  /** Tells the running maintenance's `onEvicted` (the writer calls it after a commit that evicted). */
  reportEviction(eviction: Eviction): void;
}

/** Purges everything received before `cutoffMs` in paced steps, then gives the space back, paced too. */
async function purgeAll(
  db: Database.Database,
  purgeStep: ReturnType<typeof createPurgeStep>,
  cutoffMs: number,
  signal: AbortSignal,
): Promise<PurgeReport> {
  const report: PurgeReport = { eventCount: 0, rejectionCount: 0, beforeMs: cutoffMs };
  let indexDropped = false;
  for (;;) {
    const startedMs = performance.now();
    const step = purgeStep(cutoffMs, PURGE_BATCH_SIZE, PURGE_STEP_MAX_MS);
    report.eventCount += step.events;
    report.rejectionCount += step.rejections;
    indexDropped ||= step.indexDropped === true;
    if (step.done || signal.aborted) break;
    await pauseAfter(performance.now() - startedMs, signal);
  }
  if (report.eventCount + report.rejectionCount > 0 || indexDropped) {
    while (!signal.aborted) {
      const startedMs = performance.now();
      if (releaseSpace(db, VACUUM_PAGES_PER_STEP) < VACUUM_PAGES_PER_STEP) break;
      await pauseAfter(performance.now() - startedMs, signal);
    }
  }
  return report;
}

/** Indexes for search every row not yet indexed, in steps of `stepMaxMs`, letting requests in between. */
async function indexAll(db: Database.Database, stepMaxMs: number, signal: AbortSignal): Promise<number> {
  let rows = 0;
  for (;;) {
    const step = indexSearchStepUnsynced(db, stepMaxMs);
    rows += step.rows;
    if (step.done || signal.aborted) return rows;
    await yieldToEventLoop();
  }
}

/** Whether the event loop had time to spare since the last call; busy answers are limited in a row. */
function idleEnough(): () => boolean {
  let lastUtilization = performance.eventLoopUtilization();
  let deferred = 0;
  return () => {
    const busy =
      performance.eventLoopUtilization(lastUtilization).utilization > SEARCH_INDEX_BUSY_UTILIZATION;
    lastUtilization = performance.eventLoopUtilization();
    if (busy && deferred < SEARCH_INDEX_MAX_DEFERRALS) {
      deferred += 1;
      return false;
    }
    deferred = 0;
    return true;
  };
}

/**
 * Creates the upkeep over `db`; nothing runs until `startMaintenance`. `afterEventsRemoved` runs inside
 * each purge step that removed events, before it commits (the learned schemas' mark follows the removal).
 */
export function createMaintenance(
  db: Database.Database,
  prepare: StatementCache['prepare'],
  tally: EventTally,
  tuning: SearchIndexTuning = {},
  afterEventsRemoved: () => void = () => {},
): MaintenanceParts {
  const purgeStep = createPurgeStep(db, prepare, tally, afterEventsRemoved);
  const stepMaxMs = tuning.searchIndexStepMaxMs ?? SEARCH_INDEX_STEP_MAX_MS;
  let running: MaintenanceOptions | null = null;
  let started = false;

  return {
    reportEviction(eviction) {
      running?.onEvicted?.(eviction);
    },
    startMaintenance(options) {
      if (started) throw new Error('maintenance is already started for this store');
      started = true;
      running = options;
      const purgeJob = createPeriodicJob({
        intervalMs: options.purgeIntervalMs,
        run: withClassifiedFailures(async (signal: AbortSignal) => {
          const report = await purgeAll(db, purgeStep, options.cutoffMs(), signal);
          if (report.eventCount + report.rejectionCount > 0) options.onPurged?.(report);
          return report;
        }),
        onError: options.onError,
      });
      const indexJob = createPeriodicJob({
        intervalMs: tuning.searchIndexIntervalMs ?? SEARCH_INDEX_INTERVAL_MS,
        run: withClassifiedFailures((signal: AbortSignal) => indexAll(db, stepMaxMs, signal)),
        onError: options.onError,
        // The first pass waits an interval too: `due` then has a span of event-loop time to judge.
        runAtStart: false,
        due: idleEnough(),
      });
      purgeJob.start();
      indexJob.start();
      return {
        runNow: purgeJob.runNow,
        indexNow: indexJob.runNow,
        async stop() {
          await Promise.all([purgeJob.stop(), indexJob.stop()]);
          running = null;
        },
      };
    },
  };
}
