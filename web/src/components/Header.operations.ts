// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** What the header shows of the stats: the query and the live subscription select the same fields. */
export const HeaderStatsFragment = /* GraphQL */ `
  fragment Header_stats on Stats {
    totalEvents
    totalEntities
    totalRejections
    retention
  }
`;

/** Counts and retention for the header. */
export const HeaderStatsQuery = /* GraphQL */ `
  query HeaderStats {
    stats {
      ...Header_stats
    }
  }
`;

/** The counts each time they change (additions, purges, deletes, refusals), coalesced by the server. */
export const HeaderStatsChangedSubscription = /* GraphQL */ `
  subscription HeaderStatsChanged {
    statsChanged {
      ...Header_stats
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
