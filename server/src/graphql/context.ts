import type { EntityReader } from '../read/entities.js';
import type { LiveSubscriber, Subscription } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { MockFeed } from '../intake/mock-feed.js';
import type { EventDeletes } from '../intake/deletes.js';
import type { MayCheck } from '../api/access.js';
import type { EventReader, StoreStats } from '../store/types.js';
import type { DeliveryRecorder, Replayer } from '../domain/deliveries.js';

/** The store's reads that resolvers use. */
export type EventReads = Pick<
  EventReader,
  | 'getEvent'
  | 'listEvents'
  | 'countEvents'
  | 'countEventsAtMost'
  | 'getEntity'
  | 'listEntities'
  | 'countEntities'
  | 'listRejections'
  | 'countRejections'
  | 'stats'
  | 'listSchemas'
  | 'getSchema'
  | 'listDeliveries'
  | 'traffic'
  | 'eventsAfterSequence'
  | 'sequenceBounds'
>;

/** The retention in force, as `stats` reports it. */
export interface RetentionSettings {
  /** As configured, e.g. `7d`. */
  readonly text: string;
  readonly ms: number;
  readonly purgeIntervalMs: number;
}

/**
 * What every resolver can reach: read-only views of what they use, never the whole store, the intake or
 * the config (which holds the auth token and the webhook key). Only the mock feed (through the intake), the
 * deleter and the delivery recorder change anything, each doing what must follow (publishing) itself.
 */
export interface GraphQLContext {
  readonly reads: EventReads;
  /** Entity folds (cached), and the analyses of events this process committed (computed at commit). */
  readonly entities: Pick<EntityReader, 'fold' | 'analysisOf'>;
  /** The retention cut-off in force (epoch ms): every read applies it. */
  readonly cutoffMs: () => number;
  readonly retention: RetentionSettings;
  readonly live: LiveSubscriber<LiveTopics>;
  readonly mock: Pick<MockFeed, 'generate'>;
  /** The live counts' subscribe side (`statsChanged`, the feed in jobs/stats-feed.ts): a subscription that
   * also asks for the counts at its start. */
  readonly stats: { subscribe(): Subscription<StoreStats> };
  /** Deletes through the composition root's deleter, which drops caches and publishes `eventsDeleted`. */
  readonly deletes: Pick<EventDeletes, 'delete'>;
  /**
   * What this request's credential may change: resolvers that change anything call
   * `requireCapability(ctx.may, 'delete' | 'write', field)` (api/access.ts) first.
   */
  readonly may: MayCheck;
  /** Stores reported delivery attempts and publishes them after the commit (resolvers never publish). */
  readonly deliveries: DeliveryRecorder;
  /** Sends chosen events to an allowed target, recording each attempt (replayEvents). */
  readonly replay: Replayer;
}
