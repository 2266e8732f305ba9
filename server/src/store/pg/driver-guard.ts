// A guard against one known crash of postgres.js 3.4.9 (porsager/postgres #1154, #1208; fix proposed in
// PRs #1168, #1176, #1209, not released): a query issued on a transaction whose connection has just
// closed schedules a write with setImmediate, and that write then reads `socket.write` of null. The
// TypeError is thrown from the immediate, outside any promise, so no caller can catch it and it ends the
// process, which is exactly what must not happen while PostgreSQL restarts. The query itself is already
// lost with its connection (the transaction rejects through the connection's close, the webhook answers
// 503 and is retried), so the error carries nothing to handle: the guard drops it and the driver
// reconnects on the next query. beginTransaction (open.ts) avoids the common path; this catches the rest.

/** Whether `error` is that TypeError (its message and the driver's `nextWrite` frame on top). */
export function isDriverNullSocketWrite(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  if (!/\(reading 'write'\)/.test(error.message)) return false;
  const frames = (error.stack ?? '').split('\n').slice(1, 3).join('\n');
  return /\bnextWrite\b/.test(frames);
}

/** postgres.js's own codes for a connection that went away. */
const DRIVER_CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);
/** The socket's codes for a server that is not there (restarting) or went away mid-connection. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * Whether `error` is a lost or refused connection to the database: what a PostgreSQL restart makes the
 * driver reject with. One such rejection reached nobody in CI (2026-12-03: `connect ECONNREFUSED`
 * from `TCPConnectWrap.afterConnect`, unhandled, during an immediate stop in
 * server/test/pg-restart.test.ts) and ended the process, while every webhook was being answered 503;
 * which promise it was is not found yet.
 */
export function isDriverConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return false;
  return DRIVER_CONNECTION_CODES.has(error.code) || SOCKET_CODES.has(error.code);
}

let installed = false;

/**
 * Installs the guard once per process: that TypeError is dropped (and told to `onDropped`), and so is a
 * promise rejected by a lost database connection that nobody awaited ({@link isDriverConnectionLoss}:
 * the operation it belonged to failed with the connection, and its caller is answered through the
 * connection's close or its own timeout). Any other uncaught exception or unhandled rejection behaves
 * as without the guard: handled by the process's other listeners when there are any, else printed and
 * the process exits with code 1, as Node does by default.
 */
export function guardDriverCrash(onDropped: (error: Error) => void = () => {}): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (error, origin) => {
    if (
      isDriverNullSocketWrite(error) ||
      (origin === 'unhandledRejection' && isDriverConnectionLoss(error))
    ) {
      onDropped(error);
      return;
    }
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`${error instanceof Error ? (error.stack ?? String(error)) : String(error)}\n`);
    process.exit(1);
  });
}
