/**
 * Wake-up channels: how the replicas tell each other that the committed stream moved. A wake-up carries
 * only the head position (a `sequence`), never an event: the database is the only source of truth, and a
 * tailer woken (or not) reads it from its own position. A lost wake-up therefore delays delivery, never
 * loses it; a reconnect of the channel may have lost some, so every reconnect is reported as a wake-up too.
 */
export interface Wakeup {
  /** Tells every replica (this one included) that the stream's head is now `head`. Best effort: never throws. */
  notify(head: string): void;
  /** Calls `listener` with the head of every wake-up received; returns how to stop. */
  onWake(listener: (head: string) => void): () => void;
  /** Calls `listener` after every reconnect of the channel (not the first connect): wake-ups may be lost. */
  onReconnect(listener: () => void): () => void;
  /** Stops listening and closes the channel's connections. */
  close(): Promise<void>;
}

/** Wake-up listeners, shared by the implementations. */
export interface WakeupListeners {
  wake(head: string): void;
  reconnected(): void;
  onWake(listener: (head: string) => void): () => void;
  onReconnect(listener: () => void): () => void;
}

/** A listener that throws must not stop the others (nor the driver's event handler that called it). */
function callEach<A extends unknown[]>(
  listeners: Set<(...args: A) => void>,
  args: A,
  onError: (error: unknown) => void,
) {
  for (const listener of [...listeners]) {
    try {
      listener(...args);
    } catch (error) {
      onError(error);
    }
  }
}

/** The listener sets every implementation keeps. */
export function createWakeupListeners(onError: (error: unknown) => void): WakeupListeners {
  const wakes = new Set<(head: string) => void>();
  const reconnects = new Set<() => void>();
  return {
    wake: (head) => callEach(wakes, [head], onError),
    reconnected: () => callEach(reconnects, [], onError),
    onWake(listener) {
      wakes.add(listener);
      return () => wakes.delete(listener);
    },
    onReconnect(listener) {
      reconnects.add(listener);
      return () => reconnects.delete(listener);
    },
  };
}

/**
 * The wait before reconnect attempt `attempt` (0 first): doubling from 100 ms up to 5 s, with a little
 * jitter so that replicas cut off together do not all come back in the same millisecond.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** attempt, 5_000) * (0.8 + Math.random() * 0.4);
}

/**
 * `onError`, called at most once per `intervalMs`: a channel that is down fails every notify, and one
 * log line per commit would drown the log.
 */
export function throttleErrors(
  onError: (error: unknown) => void,
  intervalMs = 5_000,
): (error: unknown) => void {
  let lastMs = Number.NEGATIVE_INFINITY;
  return (error) => {
    const nowMs = Date.now();
    if (nowMs - lastMs < intervalMs) return;
    lastMs = nowMs;
    onError(error);
  };
}

/** The wake-up of a single process (SQLite): a notify wakes this process's own listeners, after the current turn. */
export function createLocalWakeup(onError: (error: unknown) => void = () => undefined): Wakeup {
  const listeners = createWakeupListeners(onError);
  let closed = false;
  return {
    notify(head) {
      if (!closed) queueMicrotask(() => !closed && listeners.wake(head));
    },
    onWake: listeners.onWake,
    onReconnect: listeners.onReconnect,
    async close() {
      closed = true;
    },
  };
}
