import type { ApolloClient } from '@apollo/client';
import {
  StreamEventAddedDocument,
  StreamEventsDocument,
  StreamClearEventsDocument,
  StreamDeleteCountDocument,
  StreamDeleteMatchingDocument,
  StreamEventsDeletedDocument,
  StreamEventsPurgedDocument,
} from '../../gql/graphql.js';
import type { StreamSource } from './controller.js';

/** The stream's data source over the page's Apollo client (no cache: the stream keeps its own bounded buffer). */
export function createApolloStreamSource(client: ApolloClient): StreamSource {
  return {
    async fetchPage({ filter, first, after }) {
      const result = await client.query({
        query: StreamEventsDocument,
        variables: { filter, first, after },
        fetchPolicy: 'no-cache',
      });
      if (result.data === undefined) throw result.error ?? new Error('events: no data');
      const { edges, pageInfo } = result.data.events;
      return {
        rows: edges.map((edge) => ({ event: edge.node, cursor: edge.cursor })),
        hasNextPage: pageInfo.hasNextPage,
      };
    },
    subscribeAdded(filter, onEvent) {
      const subscription = client
        .subscribe({ query: StreamEventAddedDocument, variables: { filter }, fetchPolicy: 'no-cache' })
        .subscribe({
          next: (result) => {
            if (result.data) onEvent(result.data.eventAdded);
          },
        });
      return () => subscription.unsubscribe();
    },
    subscribePurged(onPurge) {
      const subscription = client
        .subscribe({ query: StreamEventsPurgedDocument, fetchPolicy: 'no-cache' })
        .subscribe({
          next: (result) => {
            if (result.data) onPurge(result.data.eventsPurged.before);
          },
        });
      return () => subscription.unsubscribe();
    },
    async countEvents(filter) {
      const result = await client.query({
        query: StreamDeleteCountDocument,
        variables: { filter },
        fetchPolicy: 'no-cache',
      });
      if (result.data === undefined) throw result.error ?? new Error('events: no data');
      return result.data.events.totalCount;
    },
    async deleteEvents(filter) {
      // No filter means all: the server wants that said (clearEvents), not an empty filter.
      if (filter === null) {
        const result = await client.mutate({ mutation: StreamClearEventsDocument });
        return result.data?.clearEvents.eventCount ?? 0;
      }
      const result = await client.mutate({ mutation: StreamDeleteMatchingDocument, variables: { filter } });
      return result.data?.deleteEvents.eventCount ?? 0;
    },
    subscribeDeleted(onDeleted) {
      const subscription = client
        .subscribe({ query: StreamEventsDeletedDocument, fetchPolicy: 'no-cache' })
        .subscribe({
          next: (result) => {
            if (result.data) onDeleted(result.data.eventsDeleted.eventIds ?? null);
          },
        });
      return () => subscription.unsubscribe();
    },
  };
}
