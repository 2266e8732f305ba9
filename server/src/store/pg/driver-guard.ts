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

let installed = false;

/**
 * Installs the guard once per process: that TypeError is dropped (and told to `onDropped`). Any other
 * uncaught exception behaves as without the guard: handled by the process's other listeners when there
 * are any, else printed and the process exits with code 1, as Node does by default.
 */
export function guardDriverCrash(onDropped: (error: TypeError) => void = () => {}): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (error) => {
    if (isDriverNullSocketWrite(error)) {
      onDropped(error as TypeError);
      return;
    }
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`${error instanceof Error ? (error.stack ?? String(error)) : String(error)}\n`);
    process.exit(1);
  });
}
