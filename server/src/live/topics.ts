import type { PurgeReport, StoredDelivery, StoredEvent, StoredRejection } from '../domain/records.js';

/** What a purge (or an eviction) removed: the store contract's report, as `eventsPurged` carries it. */
export type { PurgeReport } from '../domain/records.js';

/** The live topics of hookscope and their messages. */
export interface LiveTopics {
  eventAdded: StoredEvent;
  rejectionAdded: StoredRejection;
  eventsPurged: PurgeReport;
  /** A delivery attempt, after its insert committed. */
  deliveryAdded: StoredDelivery;
}
