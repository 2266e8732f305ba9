import type { DeliveryRecorder } from '../domain/deliveries.js';
import type { StoredEvent } from '../domain/records.js';
import type { LiveSubscriber } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { Sender, SendOutcome } from './sender.js';

// FORWARD_TO: every committed event, in commit order, to one target. The intake only ever does a
// synchronous push into a bounded queue (through the live hub's eventAdded); one worker sends from it,
// so a slow or dead target delays forwarding, never a webhook's 201. Past the bound an event is not
// queued: it is recorded as a failed delivery, so the loss is visible on the event itself.

/** The longest wait between two attempts, whatever the backoff says. */
export const MAX_RETRY_DELAY_MS = 60_000;

/** What the forwarder needs. */
export interface ForwarderDeps {
  live: LiveSubscriber<LiveTopics>;
  sender: Sender;
  recorder: DeliveryRecorder;
  target: URL;
  /** Attempts per event, the first included. */
  maxAttempts: number;
  /** The wait before the first retry; doubled for each next one. */
  retryBaseMs: number;
  /** Events waiting at most. */
  queueMax: number;
  /** Recording an attempt failed (the store is unavailable): logged; forwarding goes on. */
  onError: (error: unknown) => void;
}

/** A running forwarder. */
export interface Forwarder {
  /** Events waiting to be sent (the one being sent included). */
  queued(): number;
  /** Stops taking events, aborts the attempt under way and waits for the worker to end. */
  close(): Promise<void>;
}

/** Whether an answer is worth another attempt: no answer, a server error, or "too many requests". */
export function shouldRetry(outcome: SendOutcome): boolean {
  if (outcome.status === null) return true;
  return outcome.status >= 500 || outcome.status === 429 || outcome.status === 408;
}

/** The wait before attempt `attempt + 1` (attempt counted from 1). */
export function retryDelayMs(retryBaseMs: number, attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, retryBaseMs * 2 ** (attempt - 1));
}

/** Starts forwarding every event published on eventAdded from now on. */
export function startForwarder(deps: ForwarderDeps): Forwarder {
  const { sender, recorder, target } = deps;
  const abort = new AbortController();
  const queue: StoredEvent[] = [];
  // Resolves the worker's wait for the next event (a holder: TypeScript does not see closures assign it).
  const idle: { wake: (() => void) | null } = { wake: null };
  // Drained at once into the bounded queue below, so the hub's own per-subscriber bound never ends it.
  const subscription = deps.live.subscribe('eventAdded', { maxQueue: Number.MAX_SAFE_INTEGER });

  const record = (event: StoredEvent, outcome: SendOutcome) =>
    recorder
      .record({ ...outcome, eventId: event.id, source: 'forward', target: target.href })
      .catch(deps.onError);

  const intake = (async () => {
    for await (const event of subscription) {
      if (queue.length >= deps.queueMax) {
        void record(event, {
          attemptedAtMs: event.receivedAtMs,
          status: null,
          durationMs: 0,
          responseBody: null,
          responseTruncated: false,
          error: `not sent: the forward queue was full (${deps.queueMax} events waiting, FORWARD_QUEUE_MAX)`,
        });
        continue;
      }
      queue.push(event);
      idle.wake?.();
    }
  })();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const stop = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        abort.signal.removeEventListener('abort', stop);
        resolve();
      }, ms);
      abort.signal.addEventListener('abort', stop, { once: true });
    });

  const worker = (async () => {
    while (!abort.signal.aborted) {
      const event = queue[0];
      if (!event) {
        await new Promise<void>((resolve) => (idle.wake = resolve));
        idle.wake = null;
        continue;
      }
      for (let attempt = 1; attempt <= deps.maxAttempts && !abort.signal.aborted; attempt++) {
        const outcome = await sender.send(event, target, abort.signal);
        if (abort.signal.aborted) break;
        await record(event, outcome);
        if (!shouldRetry(outcome)) break;
        if (attempt < deps.maxAttempts) await sleep(retryDelayMs(deps.retryBaseMs, attempt));
      }
      queue.shift();
    }
  })();

  return {
    queued: () => queue.length,
    async close() {
      abort.abort();
      await subscription.return();
      idle.wake?.();
      await Promise.all([intake, worker]);
    },
  };
}
