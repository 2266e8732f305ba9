import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { join } from 'node:path';
import { createApp, type App } from './http/app.js';
import { createAuthenticator } from './http/auth.js';
import { createReadiness, type Readiness } from './http/readiness.js';
import { createGraphqlMount } from './graphql/mount.js';
import { graphqlLimits } from './graphql/limits.js';
import { DASHBOARD_PATH, GRAPHQL_PATH, WEBHOOK_PATH } from './api/paths.js';
import { packageRoot } from './shared/paths.js';
import type { Ingest } from './intake/ingest.js';
import type { EntityReader } from './read/entities.js';
import type { Retention } from './jobs/retention.js';
import type { MockFeed } from './intake/mock-feed.js';
import type { LiveSubscriber } from './live/index.js';
import { monotonicClock, systemClock, type Clock } from './shared/clock.js';
import type { Config } from './config.js';
import { createEntityReader } from './read/entities.js';
import { createIdGenerator } from './shared/ids.js';
import { createIngest } from './intake/ingest.js';
import { createLive, tapPublishes } from './live/index.js';
import { startReplicaStream, type ReplicaStream } from './live/replica-stream.js';
import { headMessage, type Wakeup } from './live/wakeup.js';
import { createPgWakeup } from './live/wakeup-pg.js';
import { createRedisWakeup } from './live/wakeup-redis.js';
import { STATS_TRIGGERS, type LiveTopics } from './live/topics.js';
import { createStatsFeed, type StatsFeed } from './jobs/stats-feed.js';
import { createMockFeed } from './intake/mock-feed.js';
import { createEventDeletes, type EventDeletes } from './intake/deletes.js';
import { mayNothing } from './api/access.js';
import { createRetention, retentionMaintenance } from './jobs/retention.js';
import { createDeliveryRecorder } from './jobs/deliveries.js';
import type { DeliveryRecorder } from './domain/deliveries.js';
import { createSender } from './jobs/sender.js';
import { createReplayer, type RunningReplayer } from './jobs/replay.js';
import { startForwarder, type Forwarder } from './jobs/forwarding.js';
import { createPgStore, type PgAnnounce } from './store/pg/index.js';
import { createSqliteStore } from './store/sqlite/index.js';
import type { CommittedEvent, EventStore, PurgeReport, StoredEvent } from './store/types.js';

/** A started hookscope, and how to stop it. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:8000` */
  url: string;
  port: number;
  logger: Logger;
  /** Open live subscriptions on a topic (lets tests await a subscriber instead of sleeping). */
  subscriberCount(topic: keyof LiveTopics): number;
  /** Runs a purge now (tests move the clock, then call this). */
  purgeNow(): Promise<PurgeReport>;
  /**
   * Drains: `/readyz` turns 503 at once, the replica keeps serving for DRAIN_DELAY, then stops the jobs,
   * stops accepting, finishes in-flight requests, closes WebSockets (1012), commits and closes the database.
   */
  close(): Promise<void>;
}

/** Options that tests (and only tests) change. */
export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  webRoot?: string;
  /**
   * Runs the replica live path (tailer + channel) on this wake-up channel whatever the store: tests run
   * several replicas on one SQLite file this way. Closed with the server.
   */
  wakeup?: Wakeup;
  /** Wraps the opened store (tests count the reads the live path makes through it). */
  wrapStore?: (store: EventStore) => EventStore;
}

/** The channel replicas wake each other on (a NOTIFY channel, or a Redis pub/sub channel). */
export const WAKEUP_CHANNEL = 'hookscope_wakeup';

/**
 * The wake-up channel between replicas: none for one SQLite process (the commit itself is the stream),
 * Redis pub/sub when REDIS_URL is set, PostgreSQL's LISTEN/NOTIFY otherwise.
 */
export async function openWakeup(config: Config, logger: Logger, origin?: string): Promise<Wakeup | null> {
  if (config.databaseUrl === null) return null;
  const onError = (error: unknown): void =>
    logger.warn(
      { err: error },
      'wake-up channel: %s',
      error instanceof Error ? error.message : String(error),
    );
  if (config.redisUrl !== null) {
    return createRedisWakeup({
      redisUrl: config.redisUrl,
      channel: WAKEUP_CHANNEL,
      onError,
      ...(origin === undefined ? {} : { origin }),
    });
  }
  return createPgWakeup({
    // LISTEN needs a session of its own: never through a transaction pooler.
    databaseUrl: config.databaseDirectUrl ?? config.databaseUrl,
    channel: WAKEUP_CHANNEL,
    applicationName: 'hookscope-wakeup',
    onError,
    ...(origin === undefined ? {} : { origin }),
  });
}

/**
 * The store the configuration asks for: PostgreSQL when DATABASE_URL is set (replicas share it), else
 * SQLite in DATA_DIR. Async because opening PostgreSQL means connecting and migrating. `announce`: the
 * PostgreSQL store's own wake-up (see {@link PgStoreOptions.announce}).
 */
export async function openStore(config: Config, announce?: PgAnnounce): Promise<EventStore> {
  if (config.databaseUrl !== null) {
    return createPgStore({
      ...(announce === undefined ? {} : { announce }),
      databaseUrl: config.databaseUrl,
      ...(config.databaseDirectUrl === null ? {} : { directUrl: config.databaseDirectUrl }),
      maxRejections: config.maxRejections,
      maxStoredEvents: config.maxStoredEvents,
      schemaLearning: config.schemaLearning,
    });
  }
  return createSqliteStore({
    dataDir: config.dataDir,
    maxRejections: config.maxRejections,
    maxStoredEvents: config.maxStoredEvents,
    schemaLearning: config.schemaLearning,
    maxDatabaseBytes: config.maxDatabaseBytes,
  });
}

/** Composition root: config → store → live → intake → app → store maintenance → listen. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'hookscope' } });
  const hub = createLive<LiveTopics>();
  // Among replicas woken over LISTEN/NOTIFY, each ingest transaction sends the wake-up itself (its
  // NOTIFY leaves with the COMMIT, see docs/performance.md, "Live delivery across replicas"); the tailer
  // skips its own, whose events the intake hands it. Over Redis, or a channel a test gives, the replica
  // stream sends it after the commit.
  const origin = randomUUID();
  const announcedByCommit =
    config.databaseUrl !== null && config.redisUrl === null && options.wakeup === undefined;
  const opened = await openStore(
    config,
    announcedByCommit ? { channel: WAKEUP_CHANNEL, message: (head) => headMessage(head, origin) } : undefined,
  );
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  const retention = createRetention({ clock, retentionMs: config.eventRetentionMs });
  const stats = createStatsFeed({
    live: hub,
    reads: store,
    cutoffMs: () => retention.cutoffMs(),
    onError: (error) => logger.warn({ err: error }, 'live counts not updated: the store read failed'),
  });
  // Every publisher below gets the tapped hub: a publish on a STATS_TRIGGERS topic updates the live counts.
  const live = tapPublishes(hub, STATS_TRIGGERS, () => stats.touch());
  // Stamps arrivals (received_at and ids): after everything stored, even across a restart. One ms past
  // the last stored event, not at it: a new id generator's first id in that same ms could sort before it.
  const lastStoredMs = await store.lastReceivedAtMs();
  const arrivals = monotonicClock(clock, lastStoredMs === null ? Number.NEGATIVE_INFINITY : lastStoredMs + 1);
  // Among replicas: every replica's commits reach this one's subscribers through its tailer, in one order.
  const wakeup = options.wakeup ?? (await openWakeup(config, logger, origin));
  // Among replicas, FORWARD_TO forwards what this replica committed, as it commits (each event once
  // cluster-wide, by the replica that took it), while the tailer publishes every replica's events to all.
  const ownCommits = createLive<LiveTopics>();
  // The fold cache, fed by the committed stream in commit order: this process's commits are written
  // through (their folds and analyses computed once, at commit), everything else is read.
  const entities = createEntityReader(store, {
    // Only while someone listens: with nobody to deliver to, the read path catches up when read.
    writeThrough: () => hub.subscriberCount('eventAdded') > 0,
  });
  const cutoffMs = (): number => retention.cutoffMs();
  // Among replicas: this replica's commits waiting for the tailer to publish them in sequence order.
  const ownPending = new WeakMap<StoredEvent, CommittedEvent>();
  const replicaStream: ReplicaStream | null = wakeup
    ? await startReplicaStream({
        reads: store,
        wakeup,
        announceHeads: !announcedByCommit,
        cutoffMs: () => retention.cutoffMs(),
        publish: (event) => {
          // Offered from memory, the event is this replica's own and nothing foreign lies before it;
          // read by the tailer (another replica's, or its own read back), it is the read path's.
          const own = ownPending.get(event);
          if (own) entities.apply([own], cutoffMs());
          else entities.observeForeign();
          live.publish('eventAdded', event);
        },
        onError: (error) => logger.warn({ err: error }, 'live stream: reading the committed events failed'),
      }).catch(async (error: unknown) => {
        await wakeup.close();
        await store.close();
        throw error;
      })
    : null;
  const ingest = createIngest({
    store,
    live,
    clock: arrivals,
    newId: createIdGenerator(arrivals),
    onCommitted: replicaStream
      ? (committed) => {
          const { event } = committed as { event: StoredEvent & { sequence: string } };
          ownPending.set(event, committed);
          ownCommits.publish('eventAdded', event);
          replicaStream.committed(event);
        }
      : (committed) => {
          // Before the publish: the live path finds the event's analysis instead of reading its entity.
          entities.apply([committed], cutoffMs());
          live.publish('eventAdded', committed.event);
        },
  });
  const mock = createMockFeed(ingest, clock);
  const deletes = createEventDeletes({
    store,
    live,
    cutoffMs: () => retention.cutoffMs(),
    // Before the delete is acknowledged or published: no fold answered next holds a deleted event.
    during: (run) => entities.deleting(run),
    onDeleted: (report) => {
      // The other replicas' fold caches cannot see a delete from the middle of an entity's events.
      if (replicaStream) wakeup?.notifyDeleted(report);
      logger.info({ eventCount: report.eventCount }, 'deleted %d events on request', report.eventCount);
    },
  });
  if (replicaStream && wakeup) {
    wakeup.onDeleted((report) => {
      entities.forget(report.entityIds);
      live.publish('eventsDeleted', report);
    });
    // A delete announced while the channel was away is lost: every cached fold may be stale.
    wakeup.onReconnect(() => entities.forget(null));
  }
  const deliveries = createDeliveryRecorder({
    store,
    live,
    cutoffMs: () => retention.cutoffMs(),
    newId: createIdGenerator(clock),
    clock,
  });
  const sender = createSender({
    allowed: config.forwardAllowedTargets,
    timeoutMs: config.forwardTimeoutMs,
    clock,
  });
  const replay = createReplayer({
    reads: store,
    entities,
    sender,
    recorder: deliveries,
    cutoffMs: () => retention.cutoffMs(),
    maxEvents: config.replayMaxEvents,
    waitMs: config.replayWaitMs,
    onError: (error) => logger.error({ err: error }, 'a replay stopped'),
  });
  // Subscribed before the first request, so that no committed event is missed.
  const forwarder: Forwarder | null =
    config.forwardTo === null
      ? null
      : startForwarder({
          live: replicaStream ? ownCommits : live,
          sender,
          recorder: deliveries,
          target: new URL(config.forwardTo),
          maxAttempts: config.forwardMaxAttempts,
          retryBaseMs: config.forwardRetryBaseMs,
          queueMax: config.forwardQueueMax,
          onError: (error) => logger.error({ err: error }, 'recording a forward attempt failed'),
        });
  const readiness = createReadiness({ ping: store.ping?.bind(store) });
  const stopSending = async (): Promise<void> => {
    await replay.close();
    await forwarder?.close();
  };
  const app = await startApp(
    config,
    {
      logger,
      clock,
      store,
      live,
      ingest,
      entities,
      retention,
      mock,
      stats,
      deletes,
      deliveries,
      replay,
      readiness,
    },
    options,
  );

  // Before the first request: evictions are reported from the first commit on.
  const maintained = retentionMaintenance({
    retention,
    live,
    purgeIntervalMs: config.purgeIntervalMs,
    onPurged: (report) => logger.info(report, 'purged %d expired events', report.eventCount),
    onError: (error) => logger.error({ err: error }, 'store maintenance failed'),
  });
  const maintenance = store.startMaintenance({
    ...maintained,
    // Told before the commit's inserts resolve: a commit never extends a fold with evicted events.
    onEvicted(eviction) {
      entities.evicted(eviction.beforeMs);
      maintained.onEvicted?.(eviction);
    },
  });
  try {
    await app.fastify.listen({ port: config.port, host: config.host });
  } catch (error) {
    // The port is taken (or the like): leave nothing running behind the error.
    await stopSending();
    await maintenance.stop();
    await app.close();
    await replicaStream?.close();
    await wakeup?.close();
    await store.close();
    throw error;
  }
  const { port } = app.fastify.server.address() as AddressInfo;
  const url = publicUrl(config.host, port);
  mock.start(config.mockEventsPerMinute);
  logListening(logger, config, url);

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    logger,
    subscriberCount: (topic) => live.subscriberCount(topic),
    purgeNow: () => maintenance.runNow(),
    close() {
      closing ??= (async () => {
        readiness.markDraining();
        // A balancer probes every few seconds: until it has seen the 503, it still sends requests here,
        // and they must be served, not refused.
        if (config.drainDelayMs > 0) {
          logger.info({ drainDelayMs: config.drainDelayMs }, 'unready; serving on during DRAIN_DELAY');
          await new Promise((resolve) => setTimeout(resolve, config.drainDelayMs));
        }
        await mock.stop();
        // Before the doors close: a replay's request answers at once, and no attempt outlives the store.
        await stopSending();
        await maintenance.stop();
        // The doors first: a subscription ended here would be completed, and a client does not subscribe
        // again to what completed; its socket closed with 1012 makes it retry elsewhere instead.
        await app.close();
        await replicaStream?.close();
        await wakeup?.close();
        stats.close();
        live.close();
        ownCommits.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** What the doors are built from. */
interface AppParts {
  logger: Logger;
  clock: Clock;
  store: EventStore;
  live: LiveSubscriber<LiveTopics>;
  ingest: Ingest;
  entities: EntityReader;
  retention: Retention;
  mock: MockFeed;
  stats: StatsFeed;
  deletes: EventDeletes;
  deliveries: DeliveryRecorder;
  replay: RunningReplayer;
  readiness: Readiness;
}

/** Wires the doors: the HTTP app, and GraphQL mounted on its port. Each gets read-only views of what it
 * uses; only the intake writes. */
function startApp(config: Config, parts: AppParts, options: StartOptions): Promise<App> {
  const { logger, clock, store, entities, retention } = parts;
  const cutoffMs = (): number => retention.cutoffMs();
  const graphql = createGraphqlMount({
    context: {
      reads: store,
      entities,
      cutoffMs,
      retention: {
        text: config.eventRetention,
        ms: config.eventRetentionMs,
        purgeIntervalMs: config.purgeIntervalMs,
      },
      live: parts.live,
      mock: parts.mock,
      stats: parts.stats,
      deletes: parts.deletes,
      // Per request, the mount replaces it with what that request's credential may do.
      may: mayNothing,
      deliveries: parts.deliveries,
      replay: parts.replay,
    },
    access: { readonlyMayDelete: config.readonlyMayDelete },
    limits: graphqlLimits(config),
    ws: {
      wsMaxPayloadBytes: config.wsMaxPayloadBytes,
      wsMaxBufferedBytes: config.wsMaxBufferedBytes,
      wsInitTimeoutMs: config.wsInitTimeoutMs,
      wsMaxSubscriptions: config.wsMaxSubscriptions,
    },
    logger,
  });
  return createApp({
    settings: config,
    logger,
    clock,
    auth: config.auth ? createAuthenticator(config.auth, () => clock.now(), config.readonlyTokens) : null,
    ingest: parts.ingest,
    readiness: parts.readiness,
    reads: store,
    entities,
    cutoffMs,
    webRoot: options.webRoot ?? join(packageRoot, 'dist', 'web'),
    mounts: [graphql],
  });
}

/** The URL to show for `host:port`: a wildcard host is shown as localhost, an IPv6 one in brackets. */
function publicUrl(host: string, port: number): string {
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
}

/** The start-up line: where the dashboard, the webhook and Sandbox are, and how long events are kept. */
function logListening(logger: Logger, config: Config, url: string): void {
  logger.info(
    {
      dashboard: `${url}${DASHBOARD_PATH}`,
      webhook: `${url}${WEBHOOK_PATH}`,
      sandbox: `${url}${GRAPHQL_PATH}`,
      retention: config.eventRetention,
      dataDir: config.dataDir,
    },
    'hookscope listening: dashboard %s%s, webhook POST %s%s, GraphQL Sandbox %s%s, events kept %s',
    url,
    DASHBOARD_PATH,
    url,
    WEBHOOK_PATH,
    url,
    GRAPHQL_PATH,
    config.eventRetention,
  );
}
