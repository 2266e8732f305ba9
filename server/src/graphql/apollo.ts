import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode, newErrorId } from '../api/errors.js';
import { StoreUnavailableError } from '../store/types.js';
import type { GraphQLContext } from './context.js';
import { costError, limitRules, operationCost, type GraphQLLimits } from './limits.js';

/** Options of {@link createApolloServer}. */
export interface ApolloOptions {
  schema: GraphQLSchema;
  limits: GraphQLLimits;
  logger: Logger;
  /** Plugins of the transport it is mounted on (drain hooks). */
  plugins: ApolloServerPlugin<GraphQLContext>[];
}

/** Hides internal error detail from clients: they get a code and an error id; the log has the rest. */
export function maskError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (code !== ErrorCode.INTERNAL_SERVER_ERROR && code !== undefined) return formatted;
    if (unwrapResolverError(error) instanceof StoreUnavailableError) {
      logger.warn({ err: error }, 'GraphQL read failed: the store is unavailable');
      return {
        message: 'the store is unavailable; retry later',
        path: formatted.path,
        extensions: { code: ErrorCode.STORE_UNAVAILABLE },
      };
    }
    const errorId = newErrorId();
    logger.error({ err: error, errorId }, 'GraphQL resolver failed');
    return {
      message: `Internal server error (id ${errorId})`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
    };
  };
}

/** Refuses an operation over the cost limit: the cost depends on variables (`first: $n`), which
 * validation rules do not see. */
function costLimitPlugin(schema: GraphQLSchema, limits: GraphQLLimits): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const cost = operationCost(schema, document, request.operationName, request.variables);
          const error = costError(cost, limits.maxCost);
          // 400, not Apollo's default 500: the client asked for too much.
          if (error) {
            throw new GraphQLError(error.message, {
              extensions: { ...error.extensions, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** Creates Apollo Server for GraphQL over HTTP: the limits, masked internal errors, Sandbox. */
export function createApolloServer(options: ApolloOptions): ApolloServer<GraphQLContext> {
  const { schema, limits } = options;
  return new ApolloServer<GraphQLContext>({
    schema,
    // Sandbox is the way people ask questions here, in production too: introspection stays on unless
    // GRAPHQL_INTROSPECTION=false.
    introspection: limits.introspection,
    csrfPrevention: true,
    // main.ts drains on SIGTERM/SIGINT; Apollo's own handler would stop it early and re-raise the signal,
    // killing the process before in-flight webhooks are answered and the database is closed.
    stopOnTerminationSignals: false,
    formatError: maskError(options.logger),
    // Compact JSON: Apollo indents by default (docs/performance.md, Design choices: cheaper GraphQL responses).
    stringifyResult: (value) => JSON.stringify(value),
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitRules(limits),
    plugins: [
      costLimitPlugin(schema, limits),
      // No cache hints are used; the plugin otherwise wraps every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageLocalDefault({
        embed: { initialState: { pollForSchemaUpdates: false } },
        includeCookies: false,
      }),
      ...options.plugins,
    ],
  });
}
