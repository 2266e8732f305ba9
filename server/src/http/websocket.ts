import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';

/** Close code sent (best effort) to a socket cut off for not reading: policy violation. */
export const SLOW_CONSUMER_CLOSE_CODE = 1008;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a WebSocket upgrade may proceed: browsers always send `Origin`, so a missing one is a
 * non-browser client (curl, a script) that cross-site WebSocket hijacking cannot involve. A browser page
 * may connect from the server's own origin (the Host it asked for), from localhost, or from ALLOWED_ORIGINS.
 */
export function originAllowed(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowedOrigins.includes(url.origin)) return true;
  if (LOCAL_HOSTS.has(url.hostname)) return true;
  return request.headers.host !== undefined && url.host === request.headers.host.toLowerCase();
}

/**
 * Cuts off a socket whose unsent bytes pass `maxBufferedBytes`: a client that stops reading would
 * otherwise make the server hold every event for it in memory. Wraps this socket's `send`, so it covers
 * every writer (graphql-ws, or a fan-out that writes to sockets directly); others are not slowed because
 * `send` never waits for the network.
 */
export function guardSlowConsumer(
  socket: WebSocket,
  maxBufferedBytes: number,
  onCut: (bufferedBytes: number) => void,
): void {
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  let cut = false;
  const guarded = (...args: unknown[]): void => {
    if (cut) {
      // Writers awaiting the send callback must not hang on a socket that is gone.
      const callback = args.at(-1);
      if (typeof callback === 'function') callback(new Error('socket cut off as a slow consumer'));
      return;
    }
    send(...args);
    if (socket.bufferedAmount > maxBufferedBytes) {
      cut = true;
      onCut(socket.bufferedAmount);
      // terminate, not close: a close frame would queue behind the very bytes the client is not reading.
      socket.terminate();
    }
  };
  socket.send = guarded as WebSocket['send'];
}
