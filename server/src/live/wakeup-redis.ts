import { createClient } from 'redis';
import {
  createWakeupListeners,
  reconnectDelayMs,
  throttleErrors,
  type Wakeup,
  type WakeupOptions,
} from './wakeup.js';

/** Options of {@link createRedisWakeup}. */
export interface RedisWakeupOptions extends WakeupOptions {
  /** redis:// or rediss:// URL (REDIS_URL). */
  redisUrl: string;
  /** The pub/sub channel. */
  channel: string;
  /** CLIENT SETNAME of the subscribing connection (tests find it in CLIENT LIST to cut it). */
  clientName?: string;
  /** A publish that failed, a connection error (it is retried), a listener that threw. Throttled. */
  onError?: (error: unknown) => void;
}

/**
 * Redis pub/sub as a {@link Wakeup}, for sites where LISTEN does not work (PgBouncer in transaction
 * mode). Redis delivers at most once and nothing while a subscriber is away, which is all a wake-up
 * needs: the subscriber re-subscribes on every reconnect (with backoff), and each time it is ready again
 * `onReconnect` fires so that the tailer reads what it may have missed. Resolves once subscribed.
 */
export async function createRedisWakeup(options: RedisWakeupOptions): Promise<Wakeup> {
  const { channel } = options;
  const report = throttleErrors(options.onError ?? (() => undefined));
  const listeners = createWakeupListeners(report, options.origin);
  let closed = false;
  let subscribed = false;
  // Retried with backoff once running; at start a Redis that cannot be reached is a start-up error (as
  // an unreachable database is), not a start that hangs.
  const socket = {
    reconnectStrategy: (retries: number, cause: Error) => (subscribed ? reconnectDelayMs(retries) : cause),
  };
  // A wake-up queued while Redis is away is worth nothing by the time it would be sent: the tailer's
  // timer and the reconnect read cover that time. So the publisher fails fast instead of queueing.
  const publisher = createClient({ url: options.redisUrl, socket, disableOfflineQueue: true });
  const subscriber = createClient({
    url: options.redisUrl,
    socket,
    ...(options.clientName ? { name: options.clientName } : {}),
  });
  // Without an 'error' listener the client's errors would be thrown as unhandled events.
  publisher.on('error', report);
  subscriber.on('error', report);
  // 'ready' comes after the client's re-subscribe is acknowledged, so a read started now misses nothing
  // that a later wake-up would not announce.
  subscriber.on('ready', () => {
    if (subscribed && !closed) listeners.reconnected();
  });
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel, (message) => {
      if (!closed) listeners.received(message);
    });
    subscribed = true;
  } catch (error) {
    closed = true;
    publisher.destroy();
    subscriber.destroy();
    throw error;
  }
  function send(payload: string): void {
    if (closed) return;
    publisher.publish(channel, payload).then(() => undefined, report);
  }

  return {
    notify: send,
    notifyDeleted: (deleted) => send(listeners.deletedMessage(deleted)),
    onWake: listeners.onWake,
    onReconnect: listeners.onReconnect,
    onDeleted: listeners.onDeleted,
    async close() {
      closed = true;
      await Promise.allSettled([publisher.close(), subscriber.close()]);
    },
  };
}
