import type {
  DeleteReport,
  PurgeReport,
  StoreStats,
  StoredDelivery,
  StoredEvent,
  StoredRejection,
} from '../domain/records.js';

/** What a purge (or an eviction) removed: the store contract's report, as `eventsPurged` carries it. */
export type { PurgeReport } from '../domain/records.js';
/** What a delete removed, as `eventsDeleted` carries it. */
export type { DeleteReport } from '../domain/records.js';

/** The live topics of hookscope and their messages. */
export interface LiveTopics {
  eventAdded: StoredEvent;
  rejectionAdded: StoredRejection;
  eventsPurged: PurgeReport;
  /** The counts after a change, coalesced (jobs/stats-feed.ts): at most a few per second. */
  statsChanged: StoreStats;
  /** Published after a delete (one, a selection, all) has committed and caches have dropped it. */
  eventsDeleted: DeleteReport;
  /** A delivery attempt, after its insert committed. */
  deliveryAdded: StoredDelivery;
}

/**
 * The topics whose messages change the counts: each publish of one wakes the stats feed. The one list to
 * extend when a new way of adding or removing events (or refusals) publishes a topic of its own.
 */
export const STATS_TRIGGERS = [
  'eventAdded',
  'rejectionAdded',
  'eventsPurged',
  'eventsDeleted',
] as const satisfies readonly (keyof LiveTopics)[];
