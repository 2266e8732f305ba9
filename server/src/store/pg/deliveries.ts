import type { EventReader, StoredDelivery } from '../types.js';
import type { PgContext, PgTx } from './context.js';

/** A delivery attempt queued in a group commit, with the cut-off its event must be retained at. */
export interface DeliveryWrite {
  delivery: StoredDelivery;
  cutoffMs: number;
}

/**
 * Inside a group commit, after that batch's event insert: stores each attempt whose event is retained
 * at its cut-off, and trims each event to its latest MAX_DELIVERIES_PER_EVENT. Answers, per item,
 * whether it was stored.
 */
export async function insertDeliveries(tx: PgTx, items: readonly DeliveryWrite[]): Promise<boolean[]> {
  void tx;
  void items;
  throw new Error('not implemented yet (pgB)');
}

/** The store's delivery reads. */
export function createDeliveryReads(ctx: PgContext): Pick<EventReader, 'listDeliveries'> {
  void ctx;
  return { listDeliveries: () => Promise.reject(new Error('not implemented yet (pgB)')) };
}
