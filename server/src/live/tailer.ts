import type { StoredEvent } from '../domain/records.js';

/** A committed event with its position in commit order. */
type SequencedEvent = StoredEvent & { sequence: string };

/** The reads a tailer makes (the store contract's, by shape: live/ does not import store/). */
export interface StreamReader {
  /** Retained events with a sequence above `after`, ascending, at most `limit`. */
  eventsAfterSequence(after: string, limit: number, cutoffMs: number): Promise<SequencedEvent[]>;
  /** The highest sequence ever assigned (`last`, "0" when none) and the lowest retained. */
  sequenceBounds(cutoffMs: number): Promise<{ firstRetained: string | null; last: string }>;
}

/** Options of {@link startTailer}. */
export interface TailerOptions {
  reads: StreamReader;
  /** The retention cut-off in force (epoch ms). */
  cutoffMs: () => number;
  /** Called with every committed event once, in sequence order, whichever replica committed it. */
  publish: (event: SequencedEvent) => void;
  /** A read that failed: logged by the caller, tried again at the next wake. */
  onError: (error: unknown) => void;
  /** Events read per round trip. */
  pageSize?: number;
  /**
   * The safety net: a read at least this often whatever else happens, for wake-ups a channel lost. It
   * bounds how late an event can be delivered when the channel drops one.
   */
  safetyIntervalMs?: number;
}

/** One replica's reader of the committed stream. */
export interface Tailer {
  /** Reads (now, or right after the read under way) everything past the position and publishes it. */
  wake(): void;
  /**
   * A wake-up from the channel: `head` is the position some replica committed up to. Ignored when this
   * tailer has already published it, so that its own commits' echoes cost no read.
   */
  wakeTo(head: string): void;
  /**
   * This replica's own commits of one turn, ascending. When they start right after the position and
   * leave no gap, nothing else can lie before or among them (sequences have no gaps in commit order), so
   * they are published from memory with no read; otherwise, or while a read is under way, this is a wake.
   */
  offer(events: readonly SequencedEvent[]): void;
  /** The position: the sequence of the last event published (or skipped as gone). */
  position(): string;
  /** Resolves once every read that a wake so far asked for has run (tests, and a drain). */
  idle(): Promise<void>;
  /** Stops the timer and waits for the read under way; publishes nothing after. */
  close(): Promise<void>;
}

/** Events per read. */
export const TAILER_PAGE_SIZE = 500;
/** Default safety interval. */
export const TAILER_SAFETY_INTERVAL_MS = 1_000;

/**
 * Starts a tailer at the stream's head as of now (`sequenceBounds().last`): what was committed before the
 * start is for the subscribers' replay (`eventAdded(after:)`), not for live delivery.
 *
 * Reads are one at a time: wakes that arrive during a read are coalesced into one more read after it.
 * Sequences are consecutive, so a position missing from a read is an event already gone (deleted,
 * purged, evicted), never one still to come: with the ingest lock a position becomes visible only in
 * order. The tailer steps over such holes instead of waiting on them.
 */
export async function startTailer(options: TailerOptions): Promise<Tailer> {
  const { reads, publish, onError } = options;
  const pageSize = options.pageSize ?? TAILER_PAGE_SIZE;
  let last = (await reads.sequenceBounds(options.cutoffMs())).last;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        for (;;) {
          const events = await reads.eventsAfterSequence(last, pageSize, options.cutoffMs());
          for (const event of events) {
            if (closed) return;
            last = event.sequence;
            publish(event);
          }
          if (events.length < pageSize) break;
        }
      } catch (error) {
        // Tried again at the next wake: the safety timer makes sure there is one.
        onError(error);
      }
    } while (again && !closed);
  }

  function wake(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => {
      running = null;
    });
  }

  const timer = setInterval(wake, options.safetyIntervalMs ?? TAILER_SAFETY_INTERVAL_MS);
  timer.unref();

  return {
    wake,
    offer(events) {
      if (closed) return;
      let expected = BigInt(last) + 1n;
      const contiguous = events.every((event) => BigInt(event.sequence) === expected++);
      if (running || events.length === 0 || !contiguous) return wake();
      for (const event of events) {
        last = event.sequence;
        publish(event);
      }
    },
    wakeTo(head) {
      // Both are decimal integer strings, compared as integers ("10" > "9"); anything else from the
      // channel is not trusted to mean "nothing new".
      if (!/^\d{1,20}$/.test(head) || BigInt(head) > BigInt(last)) wake();
    },
    position: () => last,
    async idle() {
      while (running) await running;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      while (running) await running;
    },
  };
}
