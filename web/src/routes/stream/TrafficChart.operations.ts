// Operation texts for codegen; the runtime uses the generated documents from ../../gql/graphql.js.

/**
 * The traffic chart's buckets over the stream's since/until window (the retained window when unset), in
 * the compact form (`keys` + `counts`, starts implied by `since` + i × `bucketSeconds`): a few fields per
 * bucket, not one object per key (docs/performance.md, "Traffic query at 1M events").
 */
export const TrafficChartQuery = /* GraphQL */ `
  query TrafficChart($since: DateTime, $until: DateTime, $splitBy: TrafficSplit) {
    traffic(since: $since, until: $until, splitBy: $splitBy) {
      bucket
      bucketSeconds
      since
      until
      keys
      buckets {
        rejections
        counts
      }
    }
  }
`;

/**
 * That the counts changed (an arrival, a refusal, a purge, an eviction or a delete: the server's
 * STATS_TRIGGERS, coalesced): the chart refetches, coalesced again (it selects one field it never reads).
 */
export const TrafficChartStatsChangedSubscription = /* GraphQL */ `
  subscription TrafficChartStatsChanged {
    statsChanged {
      totalEvents
    }
  }
`;
