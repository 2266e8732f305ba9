import type { StoredEvent, StoredRejection } from '../store/types.js';

/** What a purge removed. */
export interface PurgeReport {
  eventCount: number;
  rejectionCount: number;
  /** Everything received before this instant (epoch ms) is gone. */
  beforeMs: number;
}

/** The live topics of hookscope and their messages. */
export interface LiveTopics {
  eventAdded: StoredEvent;
  rejectionAdded: StoredRejection;
  eventsPurged: PurgeReport;
}
