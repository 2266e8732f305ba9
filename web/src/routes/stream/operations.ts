// Operation texts for codegen (`npm run codegen`); the runtime uses the generated, typed documents
// from ../../gql/graphql.js, so these strings are dropped from the bundle.

/** One stream row's data. */
export const StreamRow_event = /* GraphQL */ `
  fragment StreamRow_event on Event {
    id
    sequence
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

/** Live events matching the stream's filters, resumed after the last one received (api/resume.ts). */
export const StreamEventAddedSubscription = /* GraphQL */ `
  subscription StreamEventAdded($filter: EventFilter, $after: String) {
    eventAdded(filter: $filter, after: $after) {
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

/** Deletes, so deleted rows leave the view (ids null: too many to list, the stream reloads). */
export const StreamEventsDeletedSubscription = /* GraphQL */ `
  subscription StreamEventsDeleted {
    eventsDeleted {
      eventIds
    }
  }
`;

/**
 * How many events a "delete matching" would remove: the confirmation says it. The bounded count: an
 * exact totalCount of a common search term at a million events takes hundreds of milliseconds.
 */
export const StreamDeleteCountQuery = /* GraphQL */ `
  query StreamDeleteCount($filter: EventFilter) {
    events(filter: $filter, first: 0) {
      count(atMost: 1000) {
        value
        exact
      }
    }
  }
`;

/** Deletes every event matching the stream's filters. */
export const StreamDeleteMatchingMutation = /* GraphQL */ `
  mutation StreamDeleteMatching($filter: EventFilter!) {
    deleteEvents(filter: $filter) {
      eventCount
    }
  }
`;

/** Deletes every retained event. */
export const StreamClearEventsMutation = /* GraphQL */ `
  mutation StreamClearEvents {
    clearEvents {
      eventCount
    }
  }
`;
