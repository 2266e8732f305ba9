import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import type { Client } from 'graphql-ws';
import { createConnectionStore, type ConnectionStore } from './connection.js';
import { createSocket, graphqlUrls } from './socket.js';

/** The one Apollo client of the page, with the socket it subscribes through and that socket's status. */
export interface Api {
  client: ApolloClient;
  ws: Client;
  connection: ConnectionStore;
}

/** Creates the Apollo client: HTTP for queries and mutations, graphql-ws for subscriptions, on the page's own origin. */
export function createApi(origin: string = window.location.origin): Api {
  const connection = createConnectionStore();
  const { httpUrl, wsUrl } = graphqlUrls(origin);
  const ws = createSocket(wsUrl, connection);
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
