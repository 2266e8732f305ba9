import type { EventDeleter, EventReader } from '../types.js';
import type { PgContext } from './context.js';

/** A newest-first page read of events (events.ts's `ListPage`: the same shape as `listEvents`). */
export type ListPage = EventReader['listEvents'];

/**
 * Creates `deleteEvents`: short steps, each a transaction of its own that takes the ingest lock
 * (`ctx.locks.ingest`) first, so a delete is ordered with the group commits.
 */
export function createDeletes(ctx: PgContext, listPage: ListPage): EventDeleter {
  void ctx;
  void listPage;
  return { deleteEvents: () => Promise.reject(new Error('not implemented yet (pgB)')) };
}
