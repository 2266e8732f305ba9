// The production server as one ES module (`npm run build:server` → dist/server/main.js). Start-up was
// mostly Node resolving and loading ~1,000 dependency files (`npm run bench`, footprint: 1.1 s, of which
// ~70% module loading in a --cpu-prof profile); one file cuts that by about 40%.
// Two packages stay external and load from node_modules at run time:
// - better-sqlite3: a native addon, found by its own loader next to its package;
// - graphql: Node's dependencies (graphql-ws, @graphql-tools) load its CommonJS build, and a schema from
//   one copy fails the instanceof checks of another; external, every import resolves to that one copy.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'server/src/main.ts',
  platform: 'node',
  external: ['better-sqlite3', 'graphql'],
  output: {
    file: 'dist/server/main.js',
    format: 'esm',
    sourcemap: true,
    codeSplitting: false,
  },
});
