import type { ApolloClient } from '@apollo/client';
import { print } from 'graphql';
import { subscribeResumable, type SubscribeClient } from '../../api/resume.js';
import {
  StreamEventAddedDocument,
  StreamEventsDocument,
  StreamClearEventsDocument,
  StreamDeleteCountDocument,
  StreamDeleteMatchingDocument,
  StreamEventsDeletedDocument,
  StreamEventsPurgedDocument,
  type StreamEventAddedSubscription,
} from '../../gql/graphql.js';
import type { StreamSource } from './controller.js';

/** The live events' text, sent by graphql-ws directly (see subscribeAdded). */
const STREAM_EVENT_ADDED = print(StreamEventAddedDocument);

/**
 * The stream's data source over the page's Apollo client (no cache: the stream keeps its own bounded
 * buffer) and, for the live events, the page's graphql-ws client itself: the cursor must be kept current
 * in the payload graphql-ws re-sends on a retry, which Apollo's link copies.
 */
export function createApolloStreamSource(client: ApolloClient, ws: SubscribeClient): StreamSource {
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
    subscribeAdded(filter, { after, onEvent, onResync }) {
      return subscribeResumable<StreamEventAddedSubscription>(ws, {
        query: STREAM_EVENT_ADDED,
        variables: { filter },
        after,
        sequenceOf: (data) => data.eventAdded.sequence,
        onData: (data) => onEvent(data.eventAdded),
        onResync,
      });
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
      return result.data.events.count;
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
