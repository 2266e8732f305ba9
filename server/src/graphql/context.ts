import type { Config } from '../config.js';
import type { EntityReader } from '../read/entities.js';
import type { Ingest } from '../intake/ingest.js';
import type { LiveSubscriber } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { Retention } from '../jobs/retention.js';
import type { Store } from '../store/types.js';
import type { MockFeed } from '../intake/mock-feed.js';

/** What every resolver can reach. Resolvers read; only the intake (via the mock feed) writes and publishes. */
export interface GraphQLContext {
  config: Config;
  store: Store;
  entities: EntityReader;
  retention: Retention;
  live: LiveSubscriber<LiveTopics>;
  mock: MockFeed;
  ingest: Ingest;
}
