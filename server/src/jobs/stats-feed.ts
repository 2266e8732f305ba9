import type { Live, Subscription } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { EventReader, StoreStats } from '../store/types.js';

/** The shortest time between two `statsChanged` messages: a burst of thousands of events a second still
 * sends at most four, and a lone event is counted at once (the first change after a quiet spell is not delayed). */
export const STATS_MIN_INTERVAL_MS = 250;

/** What the feed needs. */
export interface StatsFeedDeps {
  /** The hub it publishes `statsChanged` on (and whose subscribers it counts). */
  live: Live<LiveTopics>;
  reads: Pick<EventReader, 'stats'>;
  /** The retention cut-off in force (epoch ms), as `Query.stats` applies it. */
  cutoffMs: () => number;
  minIntervalMs?: number;
  /** A failed count read: the next change tries again. */
  onError?: (error: unknown) => void;
}

/** Live counts: `statsChanged` after each change, coalesced, computed from the store's counters. */
export interface StatsFeed {
  /** Says the counts may have changed (wired to the hub's STATS_TRIGGERS publishes). Free with no subscriber. */
  touch(): void;
  /** A `statsChanged` subscription; its first message (the counts at its start) follows within the interval. */
  subscribe(): Subscription<StoreStats>;
  /** Cancels a pending update (on shutdown). */
  close(): void;
}

/** Creates the feed. Throttled with the process's own timer, not the injected clock: it paces messages,
 * it does not decide what is retained. */
export function createStatsFeed(deps: StatsFeedDeps): StatsFeed {
  const { live, reads, cutoffMs, minIntervalMs = STATS_MIN_INTERVAL_MS, onError = () => undefined } = deps;
  let dirty = false;
  let reading = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let lastReadAtMs = Number.NEGATIVE_INFINITY;

  function schedule(): void {
    if (timer !== null || reading || closed) return;
    const waitMs = Math.max(0, lastReadAtMs + minIntervalMs - performance.now());
    timer = setTimeout(() => void flush(), waitMs);
    timer.unref();
  }

  async function flush(): Promise<void> {
    timer = null;
    if (!dirty || closed) return;
    dirty = false;
    reading = true;
    lastReadAtMs = performance.now();
    try {
      const stats = await reads.stats(cutoffMs());
      if (!closed) live.publish('statsChanged', stats);
    } catch (error) {
      onError(error);
    } finally {
      reading = false;
      // Changes during the read are not in what it published: one more update follows.
      if (dirty) schedule();
    }
  }

  function touch(): void {
    // Nobody listens: nothing to compute (a new subscriber gets the counts of its own start).
    if (live.subscriberCount('statsChanged') === 0) return;
    dirty = true;
    schedule();
  }

  return {
    touch,
    subscribe() {
      const subscription = live.subscribe('statsChanged');
      touch();
      return subscription;
    },
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
