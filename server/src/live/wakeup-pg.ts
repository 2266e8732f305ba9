import postgres from 'postgres';
import {
  createWakeupListeners,
  reconnectDelayMs,
  throttleErrors,
  type Wakeup,
  type WakeupOptions,
} from './wakeup.js';

/** Options of {@link createPgWakeup}. */
export interface PgWakeupOptions extends WakeupOptions {
  /** postgres:// URL (DATABASE_URL). */
  databaseUrl: string;
  /** The NOTIFY channel (an identifier: at most 63 bytes, or PostgreSQL truncates it). */
  channel: string;
  /** Shown in pg_stat_activity for the listening connection (tests find it there to cut it). */
  applicationName?: string;
  /** A notify that failed, a listen that failed (and is being retried), a listener that threw. Throttled. */
  onError?: (error: unknown) => void;
}

/** The longest a channel name may be: NOTIFY truncates identifiers beyond it, so a longer one never matches. */
export const MAX_PG_CHANNEL_BYTES = 63;

/**
 * PostgreSQL LISTEN/NOTIFY as a {@link Wakeup}. Two connections of its own: one that only LISTENs, and one
 * that NOTIFYs (a pool connection would be returned to the pool between statements, which LISTEN cannot
 * survive). The listening connection is re-opened with backoff whenever it closes, by this code rather
 * than the driver's `listen()`: that one re-listens once per close and drops the error if the attempt
 * fails (postgres 3.4.9, `src/index.js`), leaving nobody listening and nothing said.
 * Each successful re-listen is reported through `onReconnect`. Resolves once listening.
 */
export async function createPgWakeup(options: PgWakeupOptions): Promise<Wakeup> {
  const { channel } = options;
  if (Buffer.byteLength(channel) > MAX_PG_CHANNEL_BYTES) {
    throw new Error(`wake-up channel "${channel}" is longer than ${MAX_PG_CHANNEL_BYTES} bytes`);
  }
  const report = throttleErrors(options.onError ?? (() => undefined));
  const listeners = createWakeupListeners(report, options.origin);
  let closed = false;
  let relistening = false;
  const connection = options.applicationName ? { application_name: options.applicationName } : {};
  // `onnotify` is honoured by the driver (it is how its own listen() works) but missing from its types.
  const listenerOptions: postgres.Options<Record<string, never>> & {
    onnotify: (channel: string, payload: string) => void;
  } = {
    max: 1,
    idle_timeout: 0,
    // The driver would otherwise recycle the connection every 30-60 minutes: a needless reconnect.
    max_lifetime: null,
    fetch_types: false,
    connection,
    onnotice: () => undefined,
    onnotify: (name, payload) => {
      if (name === channel && !closed) listeners.received(payload);
    },
    onclose: () => {
      if (!closed) void relisten();
    },
  };
  const listener = postgres(options.databaseUrl, listenerOptions);
  const publisher = postgres(options.databaseUrl, {
    max: 1,
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => undefined,
  });

  const listen = async (): Promise<void> => {
    await listener`listen ${listener(channel)}`;
  };

  async function relisten(): Promise<void> {
    if (relistening) return;
    relistening = true;
    try {
      for (let attempt = 0; !closed; attempt++) {
        try {
          await listen();
          if (!closed) listeners.reconnected();
          return;
        } catch (error) {
          report(error);
          await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(attempt)));
        }
      }
    } finally {
      relistening = false;
    }
  }

  try {
    await listen();
  } catch (error) {
    closed = true;
    await Promise.all([listener.end({ timeout: 0 }), publisher.end({ timeout: 0 })]);
    throw error;
  }

  function send(payload: string): void {
    if (closed) return;
    // Raw `sql`: pg_notify is a function call drizzle has no word for.
    publisher`select pg_notify(${channel}, ${payload})`.then(() => undefined, report);
  }

  return {
    notify: send,
    notifyDeleted: (deleted) => send(listeners.deletedMessage(deleted)),
    onWake: listeners.onWake,
    onReconnect: listeners.onReconnect,
    onDeleted: listeners.onDeleted,
    async close() {
      closed = true;
      await Promise.all([listener.end({ timeout: 1 }), publisher.end({ timeout: 1 })]);
    },
  };
}
