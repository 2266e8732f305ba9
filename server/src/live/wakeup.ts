import { randomUUID } from 'node:crypto';
import type { DeleteReport } from '../domain/records.js';

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
  /**
   * Tells the other replicas that a delete committed here (the sequence cannot show it: a delete leaves
   * holes, not new positions). Its ids travel when the message stays small, else they are sent as null
   * ("too many": whoever listens treats every entity as touched). Best effort, as `notify`.
   */
  notifyDeleted(report: DeleteReport): void;
  /** Calls `listener` with every delete another replica announced (never this instance's own). */
  onDeleted(listener: (report: DeleteReport) => void): () => void;
  /** Stops listening and closes the channel's connections. */
  close(): Promise<void>;
}

/** Wake-up listeners and the message format, shared by the implementations. */
export interface WakeupListeners {
  /** Dispatches one message received from the channel. */
  received(payload: string): void;
  reconnected(): void;
  /** The message that announces `report` (from this instance). */
  deletedMessage(report: DeleteReport): string;
  onWake(listener: (head: string) => void): () => void;
  onReconnect(listener: () => void): () => void;
  onDeleted(listener: (report: DeleteReport) => void): () => void;
}

/**
 * Longest message sent: NOTIFY refuses payloads of 8000 bytes or more, and a small bound keeps Redis
 * messages cheap too. A delete's ids that do not fit are sent as null.
 */
export const MAX_WAKEUP_MESSAGE_BYTES = 7_000;

/**
 * The wake-up message for `head` sent by the instance `origin` (its {@link WakeupOptions.origin}):
 * `<head>@<origin>`. That instance skips it (its own commits reach its tailer from the intake), every
 * other one wakes to `head`. The PostgreSQL store sends it itself, inside the ingest transaction, so it
 * is delivered as the commit becomes visible (server.ts); older replicas read it as a wake-up.
 */
export function headMessage(head: string, origin: string): string {
  return `${head}@${origin}`;
}

/** Options every implementation takes. */
export interface WakeupOptions {
  /**
   * This instance's name in its messages (default: a random UUID); {@link headMessage}s of this origin
   * are not passed to `onWake`. At most 100 characters of `[A-Za-z0-9_-]`.
   */
  origin?: string;
}

/** A head message (`<head>` or `<head>@<origin>`), split. */
const HEAD_MESSAGE = /^(\d{1,20})(?:@([\w-]{1,100}))?$/;

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

/**
 * The listener sets every implementation keeps, and the messages: a head is its decimal digits, or
 * {@link headMessage} (skipped by its origin); a delete is JSON `{"origin": <instance>, "deleted": <report>}`,
 * so that an instance skips its own.
 */
export function createWakeupListeners(
  onError: (error: unknown) => void,
  origin: string = randomUUID(),
): WakeupListeners {
  const wakes = new Set<(head: string) => void>();
  const reconnects = new Set<() => void>();
  const deletes = new Set<(report: DeleteReport) => void>();
  const subscribe = <L>(set: Set<L>, listener: L): (() => void) => {
    set.add(listener);
    return () => set.delete(listener);
  };
  return {
    received(payload) {
      const head = HEAD_MESSAGE.exec(payload);
      if (head) {
        if (head[2] === origin) return;
        return callEach(wakes, [head[1] as string], onError);
      }
      let message: { origin?: unknown; deleted?: DeleteReport };
      try {
        message = JSON.parse(payload) as typeof message;
      } catch {
        // Not ours (another program on the channel): a wake-up is the safe reading of it.
        return callEach(wakes, [payload], onError);
      }
      if (message.deleted && message.origin !== origin) callEach(deletes, [message.deleted], onError);
    },
    reconnected: () => callEach(reconnects, [], onError),
    deletedMessage(report) {
      const full = JSON.stringify({ origin, deleted: report });
      if (Buffer.byteLength(full) <= MAX_WAKEUP_MESSAGE_BYTES) return full;
      return JSON.stringify({ origin, deleted: { ...report, eventIds: null, entityIds: null } });
    },
    onWake: (listener) => subscribe(wakes, listener),
    onReconnect: (listener) => subscribe(reconnects, listener),
    onDeleted: (listener) => subscribe(deletes, listener),
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
      if (!closed) queueMicrotask(() => !closed && listeners.received(head));
    },
    // One process: its delete path already told its caches and subscribers.
    notifyDeleted: () => undefined,
    onWake: listeners.onWake,
    onReconnect: listeners.onReconnect,
    onDeleted: listeners.onDeleted,
    async close() {
      closed = true;
    },
  };
}
