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

/** The deliveries panel: every attempt to send the event on, oldest first. */
export const DeliveriesPanelQuery = /* GraphQL */ `
  query DeliveriesPanel($id: ID!) {
    event(id: $id) {
      id
      deliveries {
        id
        source
        target
        attemptedAt
        status
        durationMs
        responseBody
        responseTruncated
        error
      }
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

/** New attempts of the event, live (the panel refetches its list on each). */
export const DeliveriesPanelDeliveryAddedSubscription = /* GraphQL */ `
  subscription DeliveriesPanelDeliveryAdded($eventId: ID) {
    deliveryAdded(eventId: $eventId) {
      id
    }
  }
`;
