// Operation texts for codegen; the runtime uses the generated documents from ../gql/graphql.js.

/** Every learned schema with its fields, and the retention that bounds the sparklines. */
export const SchemasViewQuery = /* GraphQL */ `
  query SchemasView {
    stats {
      retentionSeconds
    }
    schemas {
      entityType
      eventCount
      actions {
        action
        eventCount
        firstSeen
        lastSeen
        fields {
          path
          types {
            type
            count
          }
          presentCount
          presence
          lastSeen
          example
          seen {
            hour
            count
          }
        }
      }
    }
  }
`;

/** One schema's JSON Schema export, fetched when its download is asked for. */
export const SchemasViewJsonSchemaQuery = /* GraphQL */ `
  query SchemasViewJsonSchema($entityType: String!) {
    schema(entityType: $entityType) {
      entityType
      jsonSchema
    }
  }
`;
