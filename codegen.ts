import type { CodegenConfig } from '@graphql-codegen/cli';

/** Generates server resolver types and web operation types from schema.graphql (committed; `npm run codegen:check` fails on drift). */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
  ignoreNoDocuments: true,
  // No prettier hook: `--check` compares the raw output with the file, so formatting it made the check always fail.
  // The generated files are in .prettierignore instead.
  generates: {
    'server/src/graphql/generated.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useIndexSignature: true,
        contextType: './context.js#GraphQLContext',
        mappers: {
          Event: './mappers.js#EventModel',
          Entity: './mappers.js#EntityModel',
          Rejection: './mappers.js#RejectionModel',
          EventConnection: './mappers.js#EventConnectionModel',
          EntityConnection: './mappers.js#EntityConnectionModel',
          RejectionConnection: './mappers.js#RejectionConnectionModel',
          Stats: './mappers.js#StatsModel',
          PurgeReport: './mappers.js#PurgeReportModel',
          Delivery: './mappers.js#DeliveryModel',
        },
        // Resolvers may return epoch ms: the scalar formats it once (a string would be parsed to be checked).
        scalars: { DateTime: { input: 'string', output: 'string | number' }, JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
      },
    },
    'web/src/gql/graphql.ts': {
      // typescript-operations 6 emits the enums and inputs the operations use; adding `typescript` duplicates them.
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: false,
        skipTypename: false,
      },
    },
  },
};

export default config;
