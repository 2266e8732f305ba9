import type { ApolloServer } from '@apollo/server';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { Logger } from 'pino';
import type { FastifyRequest } from 'fastify';
import { mayFor, type AccessPolicy } from '../api/access.js';
import type { AppMount } from '../api/mount.js';
import { GRAPHQL_PATH } from '../api/paths.js';
import { createApolloServer } from './apollo.js';
import type { GraphQLContext } from './context.js';
import type { GraphQLLimits } from './limits.js';
import { createSchema } from './schema.js';
import { attachGraphqlWs, type GraphqlWs, type WsSettings } from './ws.js';

/** Options of {@link createGraphqlMount}. */
export interface GraphqlMountOptions {
  context: GraphQLContext;
  limits: GraphQLLimits;
  ws: WsSettings;
  /** What read-only credentials may change (READONLY_MAY_DELETE). */
  access: AccessPolicy;
  logger: Logger;
}

/** GraphQL on the app's port: Apollo Server over HTTP and graphql-ws, on the same path, with one schema,
 * one context and the same limits. */
export function createGraphqlMount(options: GraphqlMountOptions): AppMount {
  const { context, limits, logger } = options;
  const schema = createSchema();
  let apollo: ApolloServer<GraphQLContext> | null = null;
  return {
    async register(fastify, guards) {
      const ws: GraphqlWs = attachGraphqlWs(fastify.server, {
        schema,
        context,
        limits,
        settings: options.ws,
        guards,
        access: options.access,
        logger,
      });
      // The sockets stay open until the last HTTP request is answered: what it commits is still delivered.
      const wsDrain = {
        serverWillStart: async () => ({
          drainServer: async () => {
            await guards.requestsDone();
            await ws.dispose();
          },
        }),
      };
      apollo = createApolloServer({
        schema,
        limits,
        logger,
        plugins: [fastifyApolloDrainPlugin(fastify), wsDrain],
      });
      await apollo.start();
      // Per request only `may` differs: the role of the credential this request carries.
      const contextOf = async (request: FastifyRequest): Promise<GraphQLContext> => ({
        ...context,
        may: mayFor(guards.roleOf(request.raw, undefined), options.access),
      });
      await fastify.register(fastifyApollo(apollo), { path: GRAPHQL_PATH, context: contextOf });
    },
    async close() {
      await apollo?.stop();
    },
  };
}
