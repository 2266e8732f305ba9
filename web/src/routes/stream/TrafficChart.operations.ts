// Operation texts for codegen; the runtime uses the generated documents from ../../gql/graphql.js.

/** The traffic chart's buckets over the stream's since/until window (the retained window when unset). */
export const TrafficChartQuery = /* GraphQL */ `
  query TrafficChart($since: DateTime, $until: DateTime, $splitBy: TrafficSplit) {
    traffic(since: $since, until: $until, splitBy: $splitBy) {
      bucket
      bucketSeconds
      since
      until
      buckets {
        start
        count
        rejections
        split {
          key
          count
        }
      }
    }
  }
`;

/** That something arrived: the chart refetches, coalesced (it selects nothing it would read). */
export const TrafficChartEventAddedSubscription = /* GraphQL */ `
  subscription TrafficChartEventAdded {
    eventAdded {
      id
    }
  }
`;

/** That a delivery was refused. */
export const TrafficChartRejectionAddedSubscription = /* GraphQL */ `
  subscription TrafficChartRejectionAdded {
    rejectionAdded {
      id
    }
  }
`;

/** That a purge removed rows: their bars must go. */
export const TrafficChartEventsPurgedSubscription = /* GraphQL */ `
  subscription TrafficChartEventsPurged {
    eventsPurged {
      before
    }
  }
`;
