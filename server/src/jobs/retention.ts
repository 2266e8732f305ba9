import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../shared/clock.js';
import type { Live } from '../live/index.js';
import type { LiveTopics, PurgeReport } from '../live/topics.js';
import type { Store } from '../store/types.js';

/** Rows per DELETE statement inside a purge step: small, so that the time budget is checked often. */
export const PURGE_BATCH_SIZE = 100;
/**
 * Work per purge step (one transaction, one FULL commit) before yielding to the event loop. Fixed row
 * counts stalled it: 500 rows took 3-240 ms on the bench machine (`npm run bench`, purge), since what a row
 * costs depends on the cache and on the five indexes it touches.
 */
export const PURGE_STEP_MAX_MS = 4;
/** Free pages released per incremental-vacuum step. */
export const VACUUM_PAGES_PER_STEP = 128;
/**
 * Pause after each purge or vacuum step: at least this, and at least twice what the step took. A backlog
 * purged flat out kept the disk saturated; the kernel then throttled every write of the process, the
 * webhooks' commits included (4-8 row commits took 45-90 ms, ingest p99 3.5x its unloaded value in
 * `npm run bench`, purge). Expired rows are already invisible to every read, so the purge can take its
 * time: paced, a 200,000-row backlog still goes in about 20 s and ingest p99 stays within 1.2x.
 */
export const PURGE_MIN_PAUSE_MS = 10;

/** Waits after a step that took `stepMs`, so that purging never takes more than a third of the disk's time. */
const pauseAfter = (stepMs: number) => sleep(Math.max(PURGE_MIN_PAUSE_MS, 2 * stepMs));

/** The 7-day rule: the cut-off every read applies, and the purge job that deletes what is past it. */
export interface Retention {
  /** Events received before this instant (epoch ms) are expired. */
  cutoffMs(): number;
  /** Deletes everything expired, in batches, then publishes and returns what it removed. */
  purgeNow(): Promise<PurgeReport>;
  /** Runs a purge now and then every interval. */
  start(): void;
  /** Stops the timer and waits for a running purge to finish. */
  stop(): Promise<void>;
}

/** What the purge job needs. */
export interface RetentionDeps {
  store: Store;
  live: Live<LiveTopics>;
  clock: Clock;
  retentionMs: number;
  purgeIntervalMs: number;
  onError?: (error: unknown) => void;
  onPurged?: (report: PurgeReport) => void;
}

/** Creates the retention job. */
export function createRetention(deps: RetentionDeps): Retention {
  const { store, live, clock, retentionMs } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<PurgeReport> | null = null;
  const cutoffMs = (): number => clock.now() - retentionMs;

  async function purge(): Promise<PurgeReport> {
    const beforeMs = cutoffMs();
    const report: PurgeReport = { eventCount: 0, rejectionCount: 0, beforeMs };
    let indexDropped = false;
    for (;;) {
      const startedMs = performance.now();
      const step = await store.purgeStep(beforeMs, PURGE_BATCH_SIZE, PURGE_STEP_MAX_MS);
      report.eventCount += step.events;
      report.rejectionCount += step.rejections;
      indexDropped ||= step.indexDropped === true;
      if (step.done) break;
      await pauseAfter(performance.now() - startedMs);
    }
    if (report.eventCount + report.rejectionCount > 0 || indexDropped) {
      for (;;) {
        const startedMs = performance.now();
        if ((await store.releaseSpace(VACUUM_PAGES_PER_STEP)) < VACUUM_PAGES_PER_STEP) break;
        await pauseAfter(performance.now() - startedMs);
      }
    }
    if (report.eventCount + report.rejectionCount > 0) {
      live.publish('eventsPurged', report);
      deps.onPurged?.(report);
    }
    return report;
  }

  function purgeNow(): Promise<PurgeReport> {
    // Overlapping purges would only race for the same rows: share the running one.
    running ??= purge().finally(() => {
      running = null;
    });
    return running;
  }

  const tick = (): void => {
    purgeNow().catch((error: unknown) => deps.onError?.(error));
  };

  return {
    cutoffMs,
    purgeNow,
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, deps.purgeIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
