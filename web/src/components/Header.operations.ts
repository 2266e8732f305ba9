// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** Counts and retention for the header. */
export const HeaderStatsQuery = /* GraphQL */ `
  query HeaderStats {
    stats {
      totalEvents
      totalEntities
      totalRejections
      retention
    }
  }
`;

/** The "generate mock events" button (nothing reads the events: a list must select some field). */
export const HeaderGenerateMockEventsMutation = /* GraphQL */ `
  mutation HeaderGenerateMockEvents($count: Int!) {
    generateMockEvents(count: $count) {
      id
    }
  }
`;

/** Deletes: the counts change at once, not at the next poll. */
export const HeaderEventsDeletedSubscription = /* GraphQL */ `
  subscription HeaderEventsDeleted {
    eventsDeleted {
      eventCount
    }
  }
`;
