import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Clock } from '../shared/clock.js';
import type { Config } from '../config.js';
import type { EntityReader } from '../read/entities.js';
import type { GraphQLContext } from '../graphql/context.js';
import { ErrorCode } from '../api/errors.js';
import {
  costError,
  limitError,
  limitRules,
  operationCost,
  prepareOperation,
  type GraphQLLimits,
} from '../graphql/limits.js';
import { createSchema } from '../graphql/schema.js';
import { createAuthenticator, registerAuth } from './auth.js';
import { createSharedSubscriptions, type SharedSubscriptions } from '../graphql/shared-subscriptions.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { restRoutes } from './routes/rest.js';
import { webhookRoutes } from './routes/webhook.js';
import { guardSlowConsumer, originAllowed } from './websocket.js';
import type { Ingest } from '../intake/ingest.js';
import type { LiveSubscriber } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { MockFeed } from '../intake/mock-feed.js';
import { packageRoot } from '../shared/paths.js';
import type { Retention } from '../jobs/retention.js';
import type { Store } from '../store/types.js';

/** The GraphQL endpoint, for HTTP and graphql-ws alike. */
export const GRAPHQL_PATH = '/graphql';

/** Everything the HTTP app needs, wired by the composition root. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  store: Store;
  live: LiveSubscriber<LiveTopics>;
  ingest: Ingest;
  entities: EntityReader;
  retention: Retention;
  mock: MockFeed;
  /** Where the built dashboard is; defaults to dist/web. */
  webRoot?: string;
  /** The injected clock (webhook signature timestamps); defaults to the wall clock. */
  clock?: Clock;
}

/** The HTTP app plus what closing it must also close. */
export interface App {
  fastify: FastifyInstance;
  /** The graphql-ws fan-out (one execution per distinct subscription operation). */
  subscriptions: SharedSubscriptions<GraphQLContext>;
  /** Closes open WebSockets (code 1001), waits for in-flight requests, stops Apollo. */
  close(): Promise<void>;
}

/** Hides internal error detail from clients: they get a code and the request's id; the log has the rest. */
function maskError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (code !== ErrorCode.INTERNAL_SERVER_ERROR && code !== undefined) return formatted;
    const errorId = Math.random().toString(36).slice(2, 10);
    logger.error({ err: error, errorId }, 'GraphQL resolver failed');
    return {
      message: `Internal server error (id ${errorId})`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
    };
  };
}

/** Creates Fastify with every route, Apollo Server on /graphql and graphql-ws on the same path and port. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger } = deps;
  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request would drown the log at webhook rates; refusals and errors are logged by the routes.
    logController: new LogController({ disableRequestLogging: true }),
    // Behind a proxy or not, a slow client must not hold a socket forever: headers and the whole request
    // each have a deadline, checked often enough that a short deadline is honoured (Node's default check
    // interval is 30 s).
    requestTimeout: config.httpRequestTimeoutMs,
    http: {
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, config.httpHeadersTimeoutMs / 4)),
    },
    return503OnClosing: true,
  });

  const context: GraphQLContext = {
    config,
    store: deps.store,
    entities: deps.entities,
    retention: deps.retention,
    live: deps.live,
    mock: deps.mock,
    ingest: deps.ingest,
  };
  const schema = createSchema();
  const formatError = maskError(logger);

  const limits: GraphQLLimits = {
    introspection: config.graphqlIntrospection,
    maxDepth: config.graphqlMaxDepth,
    maxAliases: config.graphqlMaxAliases,
    maxTokens: config.graphqlMaxTokens,
    maxCost: config.graphqlMaxCost,
  };
  const auth = config.auth ? createAuthenticator(config.auth) : null;

  const wsServer = new WebSocketServer({
    server: fastify.server,
    path: GRAPHQL_PATH,
    // A frame larger than this closes the socket (1009) before it is buffered whole.
    maxPayload: config.wsMaxPayloadBytes,
    // Cross-site WebSocket hijacking: a page elsewhere must not ride on this browser's cookies.
    verifyClient: ({ req }: { req: IncomingMessage }) => originAllowed(req, config.allowedOrigins),
  });
  wsServer.on('connection', (socket) => {
    guardSlowConsumer(socket, config.wsMaxBufferedBytes, (bufferedBytes) =>
      logger.warn({ bufferedBytes }, 'WebSocket client stopped reading; disconnected'),
    );
  });
  // Subscribers of the same operation share one execution and one serialized result per event.
  // The same cap as the socket guard above, which fires first (it checks right after each send).
  const subscriptions = createSharedSubscriptions({ context, maxBufferedBytes: config.wsMaxBufferedBytes });
  const wsCleanup = useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      schema,
      context: (ctx, id, payload) => subscriptions.context(ctx.extra.socket, id, payload),
      subscribe: (args) => subscriptions.subscribe(args),
      connectionInitWaitTimeout: config.wsInitTimeoutMs,
      // Browsers cannot put headers on a WebSocket: the token comes in connectionParams, or the session
      // cookie (or basic-auth header of a non-browser client) with the upgrade request.
      onConnect: (ctx) =>
        !auth ||
        auth.check(ctx.extra.request.headers) !== null ||
        auth.checkToken(ctx.connectionParams?.authToken) !== null,
      // graphql-ws runs none of Apollo's validation: the same limits are applied here, per operation.
      onSubscribe: (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length > config.wsMaxSubscriptions) {
          return [
            limitError(
              `at most ${config.wsMaxSubscriptions} operations per connection (WS_MAX_SUBSCRIPTIONS)`,
            ),
          ];
        }
        const prepared = prepareOperation(schema, limits, payload);
        if ('errors' in prepared) return prepared.errors;
        return {
          schema,
          document: prepared.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
        };
      },
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) logger.warn({ err: error }, 'graphql-ws operation failed');
      },
    },
    wsServer,
  );
  const wsDrain: ApolloServerPlugin = {
    async serverWillStart() {
      return {
        async drainServer() {
          await wsCleanup.dispose();
        },
      };
    },
  };

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    // Sandbox is the way people ask questions here, in production too: introspection stays on unless
    // GRAPHQL_INTROSPECTION=false.
    introspection: config.graphqlIntrospection,
    csrfPrevention: true,
    // main.ts drains on SIGTERM/SIGINT; Apollo's own handler would stop it early and re-raise the signal,
    // killing the process before in-flight webhooks are answered and the database is closed.
    stopOnTerminationSignals: false,
    formatError,
    // Compact JSON: Apollo's default indents every response, which cost ~3% of a page query's CPU.
    stringifyResult: (value) => JSON.stringify(value),
    parseOptions: { maxTokens: config.graphqlMaxTokens },
    validationRules: limitRules(limits),
    plugins: [
      {
        // The cost depends on variables (`first: $n`), which validation rules do not see.
        async requestDidStart() {
          return {
            async didResolveOperation({ document, request }) {
              const error = costError(
                operationCost(schema, document, request.operationName, request.variables),
                limits.maxCost,
              );
              // 400, not Apollo's default 500: the client asked for too much.
              if (error)
                throw new GraphQLError(error.message, {
                  extensions: { ...error.extensions, http: { status: 400 } },
                });
            },
          };
        },
      },
      // No cache hints are used; the plugin otherwise wraps every field resolver (`npm run bench`, queries).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageLocalDefault({
        embed: { initialState: { pollForSchemaUpdates: false } },
        includeCookies: false,
      }),
      fastifyApolloDrainPlugin(fastify),
      wsDrain,
    ],
  });
  await apollo.start();

  // Drain: requests already routed are answered; a connection holding no routed request is cut (its
  // request, if any, gets no answer rather than waiting for Fastify's 10 s fallback). Node only reaps
  // connections idle at the moment close() is called, so the reaper repeats until Fastify has closed.
  let routed = 0;
  let reaper: NodeJS.Timeout | null = null;
  fastify.addHook('onRequest', async (_request, reply) => {
    routed += 1;
    reply.raw.once('close', () => (routed -= 1));
  });
  fastify.addHook('preClose', async () => {
    reaper = setInterval(() => {
      fastify.server.closeIdleConnections();
      if (routed === 0) fastify.server.closeAllConnections();
    }, 25);
  });
  fastify.addHook('onClose', async () => {
    if (reaper) clearInterval(reaper);
  });
  if (auth && config.auth) registerAuth(fastify, auth, config.auth);
  fastify.addHook('onSend', async (_request, reply) => {
    // Cheap everywhere; the dashboard adds its Content-Security-Policy (Sandbox needs its CDN scripts).
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
  await fastify.register(webhookRoutes, {
    ingest: deps.ingest,
    maxBodyBytes: config.maxBodyBytes,
    signature: config.webhookSignature,
    now: deps.clock ? () => (deps.clock as Clock).now() : Date.now,
  });
  await fastify.register(restRoutes, {
    store: deps.store,
    entities: deps.entities,
    cutoffMs: () => deps.retention.cutoffMs(),
  });
  await fastify.register(fastifyApollo(apollo), { path: GRAPHQL_PATH, context: async () => context });
  await fastify.register(dashboardRoutes, { webRoot: deps.webRoot ?? join(packageRoot, 'dist', 'web') });
  fastify.get('/healthz', async () => ({ status: 'ok' }));

  return {
    fastify,
    subscriptions,
    async close() {
      await apollo.stop();
      await fastify.close();
      wsServer.close();
    },
  };
}
