import type { Eviction } from '../types.js';
import type { PgTx } from './context.js';

/**
 * Inside the ingest transaction, after its insert: removes the oldest events by (received_at, id)
 * beyond `maxStoredEvents` (0: no cap, no query), with their attempts, delivery ids and the entities
 * left without an event. Report the answer after the commit (`MaintenanceParts.reportEviction`).
 */
export async function evictPastCap(tx: PgTx, maxStoredEvents: number): Promise<Eviction | null> {
  void tx;
  if (maxStoredEvents === 0) return null;
  throw new Error('not implemented yet (pgB)');
}
