import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Node loads graphql's CommonJS build (its "main") for every dependency (Apollo, graphql-ws,
// @graphql-tools), while Vite would give our sources the .mjs build: two copies, and graphql's
// instanceof checks then fail across them. Tests must see the one copy production sees.
const graphqlMain = createRequire(import.meta.url).resolve('graphql');

/** One test command for everything: server integration tests, web component tests, browser end-to-end tests. */
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
        test: {
          name: 'server',
          include: ['server/test/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: './web/vite.config.ts',
        test: {
          name: 'web',
          include: ['web/src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['web/src/test-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['web/e2e/**/*.test.ts'],
          environment: 'node',
          // Builds dist/web once, so the browser tests run against the production bundle.
          globalSetup: ['web/e2e/global-setup.ts'],
          // After the other projects, not beside them: a browser, a server process and their timing
          // checks do not share 2 cores well with the server suite.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
