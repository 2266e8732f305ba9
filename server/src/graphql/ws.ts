import type { IncomingMessage, Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { mayFor, mayNothing, type AccessPolicy, type MayCheck } from '../api/access.js';
import type { ConnectionGuards } from '../api/mount.js';
import { GRAPHQL_PATH } from '../api/paths.js';
import type { GraphQLContext } from './context.js';
import { limitError, prepareOperation, type GraphQLLimits } from './limits.js';
import { createSharedSubscriptions, type SharedSubscriptions } from './shared-subscriptions.js';

/**
 * The close code of a drain: 1012 "service restart". graphql-ws clients retry it (it is not one of their
 * fatal codes), so behind a balancer they reconnect to another replica and resume from their cursor.
 */
export const SERVICE_RESTART_CLOSE_CODE = 1012;

/** The graphql-ws settings (WS_* variables). */
export interface WsSettings {
  wsMaxPayloadBytes: number;
  wsMaxBufferedBytes: number;
  wsInitTimeoutMs: number;
  wsMaxSubscriptions: number;
}

/** Options of {@link attachGraphqlWs}. */
export interface GraphqlWsOptions {
  schema: GraphQLSchema;
  context: GraphQLContext;
  limits: GraphQLLimits;
  settings: WsSettings;
  guards: ConnectionGuards;
  /** What read-only credentials may change. */
  access: AccessPolicy;
  logger: Logger;
}

/** graphql-ws on an HTTP server, and how to stop it. */
export interface GraphqlWs {
  /** The fan-out (one execution per distinct subscription operation). */
  subscriptions: SharedSubscriptions<GraphQLContext>;
  /** Closes every socket with {@link SERVICE_RESTART_CLOSE_CODE} and stops accepting upgrades. */
  dispose(): Promise<void>;
}

/** Serves graphql-ws on `httpServer` at the GraphQL path: origin check, auth of `connection_init`, the same
 * limits as over HTTP, and one shared execution per distinct subscription. */
export function attachGraphqlWs(httpServer: Server, options: GraphqlWsOptions): GraphqlWs {
  const { schema, limits, settings, guards, logger } = options;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
    // A frame larger than this closes the socket (1009) before it is buffered whole.
    maxPayload: settings.wsMaxPayloadBytes,
    verifyClient: ({ req }: { req: IncomingMessage }) => guards.upgradeAllowed(req),
  });
  wsServer.on('connection', (socket) => guards.watchSocket(socket));
  // The same cap as the socket guard, which fires first (it checks right after each send).
  const subscriptions = createSharedSubscriptions({
    context: options.context,
    maxBufferedBytes: settings.wsMaxBufferedBytes,
  });
  // The role each connection's credential proved at connection_init, for its mutations' `may`.
  const roles = new WeakMap<object, MayCheck>();
  const server = useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      schema,
      context: (ctx, id, payload) =>
        subscriptions.context(ctx.extra.socket, id, payload, {
          may: roles.get(ctx.extra.socket) ?? mayNothing,
        }),
      subscribe: (args) => subscriptions.subscribe(args),
      connectionInitWaitTimeout: settings.wsInitTimeoutMs,
      // Browsers cannot put headers on a WebSocket: the token comes in connectionParams, or the session
      // cookie (or basic-auth header of a non-browser client) with the upgrade request.
      onConnect: (ctx) => {
        const credential = ctx.connectionParams?.authToken;
        if (!guards.authorize(ctx.extra.request, credential)) return false;
        roles.set(ctx.extra.socket, mayFor(guards.roleOf(ctx.extra.request, credential), options.access));
        return true;
      },
      // graphql-ws runs none of Apollo's validation: the same limits are applied here, per operation.
      onSubscribe: (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length > settings.wsMaxSubscriptions) {
          const limit = settings.wsMaxSubscriptions;
          return [limitError(`at most ${limit} operations per connection (WS_MAX_SUBSCRIPTIONS)`)];
        }
        const prepared = prepareOperation(schema, limits, payload);
        if ('errors' in prepared) return prepared.errors;
        const { operationName, variables: variableValues } = payload;
        return { schema, document: prepared.document, operationName, variableValues };
      },
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) logger.warn({ err: error }, 'graphql-ws operation failed');
      },
    },
    wsServer,
  );
  return {
    subscriptions,
    async dispose() {
      // Before graphql-ws's own dispose, whose 1001 then finds every socket closing already.
      for (const client of wsServer.clients) client.close(SERVICE_RESTART_CLOSE_CODE, 'service restart');
      await server.dispose();
    },
  };
}
