import type { StoredEvent } from '../domain/records.js';
import { startTailer, type StreamReader, type Tailer, type TailerOptions } from './tailer.js';
import type { Wakeup } from './wakeup.js';

/** Options of {@link startReplicaStream}. */
export interface ReplicaStreamOptions {
  reads: StreamReader;
  wakeup: Wakeup;
  cutoffMs: () => number;
  /** What every committed event goes to, in sequence order, once: the live hub's eventAdded (and what taps it). */
  publish: (event: StoredEvent & { sequence: string }) => void;
  /** A read that failed (it is retried at the next wake). */
  onError: (error: unknown) => void;
  /**
   * Whether `committed` tells the other replicas the new head (default true). False when the store's
   * own commits announce it on the channel (PostgreSQL's NOTIFY inside the ingest transaction).
   */
  announceHeads?: boolean;
  /** Tests shorten it. */
  safetyIntervalMs?: TailerOptions['safetyIntervalMs'];
}

/** The committed stream of one replica among several. */
export interface ReplicaStream {
  /**
   * Called by the intake after each commit of this replica, instead of publishing: hands the turn's
   * events to the tailer (published from memory when they are next in order) and, unless the commit
   * announced it itself, tells the other replicas the new head, once per event-loop turn however many
   * events the commit held.
   */
  committed(event: StoredEvent & { sequence: string }): void;
  tailer: Tailer;
  /** Stops listening and the tailer (after its read under way). Close the channel yourself after. */
  close(): Promise<void>;
}

/**
 * The live path of a replica: every replica's commits, its own included, reach its subscribers through
 * its tailer, so each replica delivers one order (commit order) and a subscriber sees the same stream
 * whichever replica it is connected to. The channel only says "the head moved"; a wake-up it loses is
 * made up by the next one, by the reconnect read, or by the tailer's timer.
 */
export async function startReplicaStream(options: ReplicaStreamOptions): Promise<ReplicaStream> {
  const { wakeup } = options;
  const announceHeads = options.announceHeads ?? true;
  const tailer = await startTailer({
    reads: options.reads,
    cutoffMs: options.cutoffMs,
    publish: options.publish,
    onError: options.onError,
    ...(options.safetyIntervalMs === undefined ? {} : { safetyIntervalMs: options.safetyIntervalMs }),
  });
  const stopWake = wakeup.onWake((head) => tailer.wakeTo(head));
  // After a reconnect, wake-ups sent meanwhile are gone: read from the position whatever the head says.
  const stopReconnect = wakeup.onReconnect(() => tailer.wake());
  // One group commit's events, announced together: the writer resolves all its inserts at once, and the
  // intake's continuations run in the same run of microtasks, so a tick after the first is after them
  // all. A tick, not setImmediate: that waited for the rest of the turn's I/O (the next requests parsed)
  // before the replica's own events went out. Events split over two announcements are still correct
  // (the tailer publishes what is next in order and reads for the rest).
  let pending: (StoredEvent & { sequence: string })[] = [];
  const announce = (): void => {
    const events = pending.sort((x, y) => (BigInt(x.sequence) < BigInt(y.sequence) ? -1 : 1));
    pending = [];
    tailer.offer(events);
    const head = events.at(-1);
    if (head && announceHeads) wakeup.notify(head.sequence);
  };
  return {
    tailer,
    committed(event) {
      pending.push(event);
      if (pending.length === 1) process.nextTick(announce);
    },
    async close() {
      stopWake();
      stopReconnect();
      await tailer.close();
    },
  };
}
