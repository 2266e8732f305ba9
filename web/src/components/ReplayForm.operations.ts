// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** Replays events (one event, or an entity's stream) to a target; the attempts are read from the panel. */
export const ReplayFormReplayMutation = /* GraphQL */ `
  mutation ReplayFormReplay($ids: [ID!], $entityId: ID, $target: String!) {
    replayEvents(ids: $ids, entityId: $entityId, target: $target) {
      target
      eventCount
      attempted
      succeeded
      failed
      skipped
      complete
    }
  }
`;
