import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

// Durability of a group commit without blocking the event loop on its fsync.
//
// The store's connection commits with `synchronous=NORMAL`: in WAL mode SQLite then writes each commit's
// frames to the WAL file (write(2), into the OS page cache) and does not fsync it, but still syncs the WAL
// before every checkpoint copies frames into the database file, and its header before the WAL is reused,
// so the file stays consistent whatever happens. What NORMAL alone does not give is durability: power lost
// before the kernel writes the WAL back rolls back the newest commits. This module gives that back
// before anyone is told: `fdatasync` of the WAL file (on any descriptor of the file, here our own, opened
// read-only), started after a commit returned, makes that commit's frames durable, exactly the fsync
// that `synchronous=FULL` runs inside COMMIT. It runs on libuv's thread pool instead of the event loop,
// and one sync covers every commit made before it started: while one is under way, the commits that
// follow queue for the next (a group fsync, as PostgreSQL's WAL flush does). Writers are answered, and
// events published, only once their commit's sync completed; a failed sync (EIO) answers them with the
// error, as a failed FULL commit would.

/** The error a write is answered with when the WAL sync after its commit failed. */
export class WalSyncError extends Error {
  readonly code = 'SQLITE_IOERR_FSYNC';
}

/** Syncs the WAL of one database after its commits, off the event loop. */
export interface WalSync {
  /** Calls `done` once every commit made so far is on disk (or with the error of the sync that failed). */
  afterCommit(done: (error: Error | null) => void): void;
  /** Syncs on this thread, answers everyone waiting, and closes the descriptor once no sync is under way. */
  close(): void;
}

/** Opens the WAL of `databaseFile` (in WAL mode, open: the file exists) for {@link WalSync}. */
export function createWalSync(databaseFile: string): WalSync {
  const fd = openSync(`${databaseFile}-wal`, 'r');
  let waiting: ((error: Error | null) => void)[] = [];
  let inFlight = false;
  let closed = false;

  const fail = (error: NodeJS.ErrnoException): Error =>
    new WalSyncError(`the WAL could not be synced to disk (${error.code ?? 'error'}): ${error.message}`, {
      cause: error,
    });

  const start = (): void => {
    const batch = waiting;
    waiting = [];
    inFlight = true;
    fdatasync(fd, (error) => {
      inFlight = false;
      const outcome = error ? fail(error) : null;
      for (const done of batch) done(outcome);
      if (closed) closeSync(fd);
      else if (waiting.length > 0) start();
    });
  };

  return {
    afterCommit(done) {
      if (closed) throw new Error('the WAL sync is closed');
      waiting.push(done);
      if (!inFlight) start();
    },
    close() {
      if (closed) return;
      closed = true;
      const batch = waiting;
      waiting = [];
      let outcome: Error | null = null;
      try {
        fdatasyncSync(fd);
      } catch (error) {
        outcome = fail(error as NodeJS.ErrnoException);
      }
      for (const done of batch) done(outcome);
      if (!inFlight) closeSync(fd);
    },
  };
}
