import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Store } from '../store/types.js';

/**
 * How often the indexer looks for rows to index when it is idle. Batching is the point: FTS5 writes one
 * segment per step's commit, and a step of 2,000+ rows costs ~30 µs a row where 50-row steps (one per
 * group commit) cost ~160 µs. The rows that arrive in between are the unindexed tail every search
 * LIKE-scans: about 1 s of ingest (a few thousand rows at the bench's rate, ~1-3 ms to scan).
 */
export const SEARCH_INDEX_INTERVAL_MS = 1_000;
/** Work per indexing step (one transaction) before yielding: keeps the event loop's stalls short. */
export const SEARCH_INDEX_STEP_MAX_MS = 20;
/**
 * Event-loop utilisation over the last interval above which a timed pass is put off: indexing costs
 * ~40 µs a row on the event loop, which under a burst of webhooks is ingest capacity. Webhook traffic to
 * a debugging tool comes in bursts; the rows of a burst are indexed once it has passed, and searches
 * meanwhile scan the unindexed tail (exact, only slower).
 */
export const SEARCH_INDEX_BUSY_UTILIZATION = 0.7;
/** Passes put off in a row at most: under sustained load the index still catches up every 30 s. */
export const SEARCH_INDEX_MAX_DEFERRALS = 30;

/** The background job that keeps the search index caught up with the stored events. */
export interface SearchIndexer {
  /** Indexes every stored row not yet indexed, step by step, yielding in between; resolves when caught up. */
  indexNow(): Promise<number>;
  /** Indexes now and then every interval. */
  start(): void;
  /** Stops the timer and waits for a running pass to finish. */
  stop(): Promise<void>;
}

/** What the indexer needs. */
export interface SearchIndexerDeps {
  store: Store;
  intervalMs?: number;
  stepMaxMs?: number;
  onError?: (error: unknown) => void;
}

/** Creates the search indexer (idle until started). */
export function createSearchIndexer(deps: SearchIndexerDeps): SearchIndexer {
  const intervalMs = deps.intervalMs ?? SEARCH_INDEX_INTERVAL_MS;
  const stepMaxMs = deps.stepMaxMs ?? SEARCH_INDEX_STEP_MAX_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = false;

  async function pass(): Promise<number> {
    let rows = 0;
    for (;;) {
      const step = await deps.store.indexStep(stepMaxMs);
      rows += step.rows;
      if (step.done || stopped) return rows;
      // Let requests in between steps, as the purge does.
      await yieldToEventLoop();
    }
  }

  function indexNow(): Promise<number> {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  let lastUtilization = performance.eventLoopUtilization();
  let deferred = 0;
  const tick = (): void => {
    const busy =
      performance.eventLoopUtilization(lastUtilization).utilization > SEARCH_INDEX_BUSY_UTILIZATION;
    lastUtilization = performance.eventLoopUtilization();
    if (busy && deferred < SEARCH_INDEX_MAX_DEFERRALS) {
      deferred += 1;
      return;
    }
    deferred = 0;
    indexNow().catch((error: unknown) => deps.onError?.(error));
  };

  return {
    indexNow,
    start() {
      if (timer) return;
      stopped = false;
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
