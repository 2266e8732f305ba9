// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** Counts and retention for the header. */
export const HeaderStatsQuery = /* GraphQL */ `
  query HeaderStats {
    stats {
      totalEvents
      totalEntities
      totalRejections
      retention
      retentionSeconds
      oldestReceivedAt
      newestReceivedAt
    }
  }
`;

/** The "generate mock events" button. */
export const HeaderGenerateMockEventsMutation = /* GraphQL */ `
  mutation HeaderGenerateMockEvents($count: Int!) {
    generateMockEvents(count: $count) {
      id
    }
  }
`;
