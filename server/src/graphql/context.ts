import type { EntityReader } from '../read/entities.js';
import type { LiveSubscriber } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { MockFeed } from '../intake/mock-feed.js';
import type { EventReader } from '../store/types.js';

/** The store's reads that resolvers use. */
export type EventReads = Pick<
  EventReader,
  | 'getEvent'
  | 'listEvents'
  | 'countEvents'
  | 'getEntity'
  | 'listEntities'
  | 'countEntities'
  | 'listRejections'
  | 'countRejections'
  | 'stats'
  | 'traffic'
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
 * the config (which holds the auth token and the webhook key). Only the mock feed writes, through the intake.
 */
export interface GraphQLContext {
  readonly reads: EventReads;
  /** Entity folds (cached). */
  readonly entities: Pick<EntityReader, 'fold'>;
  /** The retention cut-off in force (epoch ms): every read applies it. */
  readonly cutoffMs: () => number;
  readonly retention: RetentionSettings;
  readonly live: LiveSubscriber<LiveTopics>;
  readonly mock: Pick<MockFeed, 'generate'>;
}
