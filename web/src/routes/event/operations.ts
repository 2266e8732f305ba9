// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** Everything about one event. */
export const EventDetailQuery = /* GraphQL */ `
  query EventDetail($id: ID!) {
    event(id: $id) {
      id
      action
      entityType
      entityId
      time
      receivedAt
      modifiedFields
      payload
      raw
      deliveryId
      headers
      changes {
        field
        before
        after
      }
      warnings
      entity {
        id
        deleted
        complete
        version
      }
    }
  }
`;

/** Deletes the event shown. */
export const EventDeleteMutation = /* GraphQL */ `
  mutation EventDelete($id: ID!) {
    deleteEvent(id: $id) {
      eventCount
    }
  }
`;

/** Deletes made anywhere: the event shown may be one of them. */
export const EventDetailDeletedSubscription = /* GraphQL */ `
  subscription EventDetailDeleted {
    eventsDeleted {
      eventIds
    }
  }
`;
