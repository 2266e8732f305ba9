// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** One timeline entry. */
export const EntityTimeline_event = /* GraphQL */ `
  fragment EntityTimeline_event on Event {
    id
    action
    entityType
    time
    receivedAt
    changes {
      field
      before
      after
    }
    warnings
  }
`;

/** The entity, its fold and its timeline (oldest first). */
export const EntityViewQuery = /* GraphQL */ `
  query EntityView($id: ID!, $first: Int, $after: String) {
    entity(id: $id) {
      id
      entityType
      state
      deleted
      complete
      version
      createdAt
      updatedAt
      warnings
      events(first: $first, after: $after) {
        edges {
          node {
            ...EntityTimeline_event
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
        totalCount
      }
    }
  }
`;

/** Time travel: the state as of an instant. */
export const EntityStateAtQuery = /* GraphQL */ `
  query EntityStateAt($id: ID!, $time: DateTime!) {
    entity(id: $id) {
      id
      stateAt(time: $time)
    }
  }
`;

/** New events of this entity, so the view refreshes live, resumed after the last one (api/resume.ts). */
export const EntityEventAddedSubscription = /* GraphQL */ `
  subscription EntityEventAdded($filter: EventFilter, $after: String) {
    eventAdded(filter: $filter, after: $after) {
      id
      sequence
    }
  }
`;

/** Purges can remove this entity's oldest events (and so its create): refresh the fold when one happens. */
export const EntityEventsPurgedSubscription = /* GraphQL */ `
  subscription EntityEventsPurged {
    eventsPurged {
      before
    }
  }
`;

/** Deletes made anywhere: this entity may have lost events (entityIds null: too many to list). */
export const EntityEventsDeletedSubscription = /* GraphQL */ `
  subscription EntityEventsDeleted {
    eventsDeleted {
      entityIds
    }
  }
`;
