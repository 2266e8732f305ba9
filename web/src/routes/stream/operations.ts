// Operation texts for codegen (`npm run codegen`); the runtime uses the generated, typed documents
// from ../../gql/graphql.js, so these strings are dropped from the bundle.

/** One stream row's data. */
export const StreamRow_event = /* GraphQL */ `
  fragment StreamRow_event on Event {
    id
    action
    entityType
    entityId
    time
    receivedAt
    payload
    warnings
  }
`;

/** A page of the stream, newest first. */
export const StreamEventsQuery = /* GraphQL */ `
  query StreamEvents($filter: EventFilter, $first: Int, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...StreamRow_event
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`;

/** Live events matching the stream's filters. */
export const StreamEventAddedSubscription = /* GraphQL */ `
  subscription StreamEventAdded($filter: EventFilter) {
    eventAdded(filter: $filter) {
      ...StreamRow_event
    }
  }
`;

/** Retention purges, so expired rows leave the view. */
export const StreamEventsPurgedSubscription = /* GraphQL */ `
  subscription StreamEventsPurged {
    eventsPurged {
      before
    }
  }
`;
