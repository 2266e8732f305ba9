import type { DeleteReport, PurgeReport, StoredEvent, StoredRejection } from '../domain/records.js';

/** What a purge (or an eviction) removed: the store contract's report, as `eventsPurged` carries it. */
export type { PurgeReport } from '../domain/records.js';
/** What a delete removed, as `eventsDeleted` carries it. */
export type { DeleteReport } from '../domain/records.js';

/** The live topics of hookscope and their messages. */
export interface LiveTopics {
  eventAdded: StoredEvent;
  rejectionAdded: StoredRejection;
  eventsPurged: PurgeReport;
  /** Published after a delete (one, a selection, all) has committed and caches have dropped it. */
  eventsDeleted: DeleteReport;
}
