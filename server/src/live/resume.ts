import { compareSequences } from '../domain/sequence.js';
import type { Subscription } from './index.js';

/** Options of {@link resumeSubscription}. */
export interface ResumeOptions<T extends { sequence: string }> {
  /** The live subscription, registered before the first read so that nothing committed meanwhile is missed. */
  live: Subscription<T>;
  /** The position to resume after (as `isSequence` accepts; the caller has checked it can be replayed). */
  after: string;
  /** Reads the retained events with a sequence above `after`, ascending, at most `limit`. */
  readAfter: (after: string, limit: number) => Promise<T[]>;
  /** Which events the subscriber wants (replayed and live alike). */
  keep: (event: T) => boolean;
  /** Events read per replay page. */
  pageSize?: number;
}

/** Events per replay read: a page of bodies in memory at a time, a few reads for a reconnect. */
export const DEFAULT_REPLAY_PAGE_SIZE = 500;

/**
 * A subscription that first replays, in pages, the stored events after a position, then passes on the
 * live ones, skipping every live event at or below the highest position the replay read (it was replayed,
 * or filtered out there). Because `live` was registered before the first read, an event committed during
 * the replay is either read by it or buffered in `live`: no gap, no duplicate, in commit order. Closing it
 * closes `live` at once.
 */
export function resumeSubscription<T extends { sequence: string }>(
  options: ResumeOptions<T>,
): Subscription<T> {
  const { live, readAfter, keep } = options;
  const pageSize = options.pageSize ?? DEFAULT_REPLAY_PAGE_SIZE;
  let lastRead = options.after;
  let page: T[] = [];
  let replaying = true;
  let closed = false;

  async function nextReplayed(): Promise<T | null> {
    for (;;) {
      const event = page.shift();
      if (event !== undefined) {
        if (keep(event)) return event;
        continue;
      }
      if (!replaying) return null;
      const read = await readAfter(lastRead, pageSize);
      if (closed) return null;
      const newest = read.at(-1);
      if (newest !== undefined) lastRead = newest.sequence;
      // A short page is the end of what is stored; `live` holds everything committed since the read.
      if (read.length < pageSize) replaying = false;
      page = read;
    }
  }

  const subscription: Subscription<T> = {
    async next() {
      if (closed) return { value: undefined, done: true };
      const replayed = await nextReplayed();
      if (replayed !== null) return { value: replayed, done: false };
      for (;;) {
        const result = await live.next();
        if (result.done) return result;
        if (compareSequences(result.value.sequence, lastRead) <= 0 || !keep(result.value)) continue;
        return result;
      }
    },
    return() {
      closed = true;
      page = [];
      return live.return();
    },
    throw(error?: unknown) {
      closed = true;
      return live.return().then(() => Promise.reject(error));
    },
    [Symbol.asyncIterator]: () => subscription,
  };
  return subscription;
}
