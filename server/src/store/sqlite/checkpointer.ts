import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies committed WAL frames into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;
/**
 * The main connection's own autocheckpoint, in WAL pages: only a fallback should the checkpointer fall
 * behind or die. SQLite's default (1,000 pages) ran the checkpoint, an fsync of the database file, inside
 * whichever commit crossed it: 25-300 ms on the event loop (`npm run bench`, scenario purge).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;

// CommonJS, evaluated in the worker: one file path, one connection, a PASSIVE checkpoint per interval.
// PASSIVE never waits for readers or writers, so the main connection's commits are not held up.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY or a file going away at shutdown: the next tick (or the fallback) will do it.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A background thread that checkpoints the WAL so that the event loop never does. */
export interface Checkpointer {
  /** Stops the thread and closes its connection. */
  stop(): Promise<void>;
}

/**
 * Starts a worker thread with its own connection to `file` (already in WAL mode) that runs a PASSIVE
 * checkpoint every `intervalMs`. Durability is unchanged: each commit is still fsynced to the WAL by the
 * connection that made it; a checkpoint only copies committed frames into the database file.
 */
export function startCheckpointer(file: string, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  // A thread that cannot start or dies leaves the fallback autocheckpoint in charge; it is not fatal.
  worker.on('error', () => undefined);
  worker.unref();
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        if (worker.threadId === -1) return;
        const exited = once(worker, 'exit').then(
          () => undefined,
          () => undefined,
        );
        // Held until it has closed its connection, so that the main connection closes last (and cleans up).
        worker.ref();
        worker.postMessage('stop');
        const deadline = new Promise<'late'>((resolve) => setTimeout(resolve, 2_000, 'late').unref());
        if ((await Promise.race([exited, deadline])) === 'late') await worker.terminate();
      })();
      return stopped;
    },
  };
}
