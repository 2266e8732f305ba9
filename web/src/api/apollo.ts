import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { createConnectionStore, type ConnectionStore } from './connection.js';

/** The one Apollo client of the page, with the socket it subscribes through and that socket's status. */
export interface Api {
  client: ApolloClient;
  ws: Client;
  connection: ConnectionStore;
}

/** Waits between reconnect attempts: 0.5 s, 1 s, 2 s, then at most 5 s, with jitter so many tabs do not stampede. */
export function reconnectDelayMs(retries: number): number {
  const base = Math.min(5_000, 500 * 2 ** retries);
  return base * (0.75 + Math.random() * 0.5);
}

/** Creates the Apollo client: HTTP for queries and mutations, graphql-ws for subscriptions, on the page's own origin. */
export function createApi(origin: string = window.location.origin): Api {
  const connection = createConnectionStore();
  const httpUrl = new URL('/graphql', origin).toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  const ws = createClient({
    url: wsUrl,
    // Eager, so the badge reflects the server even before the first subscription starts.
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // A restarting server refuses connections (not a close event), which graphql-ws treats as fatal by default.
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
    onNonLazyError: () => connection.closed(),
    on: {
      connecting: () => connection.connecting(),
      connected: () => connection.connected(),
      closed: () => connection.closed(),
    },
  });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(ws),
    // Apollo Server's CSRF prevention accepts only requests with a JSON content type (or a preflight header).
    new HttpLink({ uri: httpUrl, headers: { 'content-type': 'application/json' } }),
  );
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        // These carry no id: keep them inside their parent instead of normalizing.
        Stats: { keyFields: false, merge: true },
        FieldChange: { keyFields: false },
        PageInfo: { keyFields: false },
      },
    }),
  });
  return { client, ws, connection };
}
