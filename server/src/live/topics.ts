import type { PurgeReport, StoredEvent, StoredRejection } from '../store/types.js';

/** What a purge (or an eviction) removed: the store contract's report, as `eventsPurged` carries it. */
export type { PurgeReport } from '../store/types.js';

/** The live topics of hookscope and their messages. */
export interface LiveTopics {
  eventAdded: StoredEvent;
  rejectionAdded: StoredRejection;
  eventsPurged: PurgeReport;
}
