import type { EventDeleter, EventReader } from '../types.js';
import type { PgQueryable } from './partitions.js';

/** Takes the ingest lock inside a transaction, so a delete step is ordered with the group commits. */
export type LockIngest = (tx: PgQueryable) => Promise<unknown>;

/** Creates `deleteEvents`: short steps, each a transaction of its own under the ingest lock. */
export function createDeletes(
  db: PgQueryable,
  lockIngest: LockIngest,
  listEvents: EventReader['listEvents'],
): EventDeleter {
  void db;
  void lockIngest;
  void listEvents;
  return { deleteEvents: () => Promise.reject(new Error('not implemented yet (pgB)')) };
}
