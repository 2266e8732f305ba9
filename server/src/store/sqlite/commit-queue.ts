/** A write waiting in a {@link CommitQueue}: rejected when its batch's transaction rolls back. */
export interface QueuedWrite {
  reject(error: unknown): void;
}

/** Group commit: the writes queued in one event-loop turn share one transaction. */
export interface CommitQueue<W extends QueuedWrite> {
  /** Queues `write` for the commit at the end of this turn. */
  enqueue(write: W): void;
  /** Commits what is queued now (at close). */
  flush(): void;
}

/**
 * Creates a queue whose `commit` runs one transaction over a batch and returns what to do once it has
 * committed (tell the writers); when `commit` throws, the transaction rolled back and every write of
 * the batch is rejected, so nobody is acknowledged for a write that is not stored.
 */
export function createCommitQueue<W extends QueuedWrite>(commit: (batch: W[]) => () => void): CommitQueue<W> {
  let pending: W[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let settle: () => void;
    try {
      settle = commit(batch);
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    settle();
  };
  return {
    enqueue(write) {
      pending.push(write);
      if (!flushScheduled) {
        flushScheduled = true;
        // setImmediate runs after this turn's I/O callbacks: every request parsed in the turn shares the commit.
        setImmediate(flush);
      }
    },
    flush,
  };
}
