// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** One refused delivery. */
export const RejectionItem_rejection = /* GraphQL */ `
  fragment RejectionItem_rejection on Rejection {
    id
    receivedAt
    status
    code
    message
    issues {
      path
      message
    }
    headers
    raw
    rawBytes
    rawTruncated
  }
`;

/** Refused deliveries, newest first. */
export const RejectionsViewQuery = /* GraphQL */ `
  query RejectionsView($first: Int, $after: String) {
    rejections(first: $first, after: $after) {
      edges {
        node {
          ...RejectionItem_rejection
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** Refusals as they happen. */
export const RejectionsViewRejectionAddedSubscription = /* GraphQL */ `
  subscription RejectionsViewRejectionAdded {
    rejectionAdded {
      ...RejectionItem_rejection
    }
  }
`;
