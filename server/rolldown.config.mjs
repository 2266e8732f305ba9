// The production server as one ES module (`npm run build:server` → dist/server/main.js). Start-up was
// mostly Node resolving and loading ~1,000 dependency files (`npm run bench`, footprint: 1.1 s, of which
// ~70% module loading in a --cpu-prof profile); one file cuts that by about 40%.
// Two packages stay external and load from node_modules at run time:
// - better-sqlite3: a native addon, found by its own loader next to its package;
// - graphql: Node's dependencies (graphql-ws, @graphql-tools) load its CommonJS build, and a schema from
//   one copy fails the instanceof checks of another; external, every import resolves to that one copy.
// The forward CLI (scripts/forward.ts) is bundled the same way into dist/server/forward.js, so that the
// container image can run it (`docker run … node dist/server/forward.js`, docs/forwarding.md).
import { defineConfig } from 'rolldown';

const bundle = (input, file) => ({
  input,
  platform: 'node',
  external: ['better-sqlite3', 'graphql'],
  output: {
    file,
    format: 'esm',
    sourcemap: true,
    codeSplitting: false,
  },
});

export default defineConfig([
  bundle('server/src/main.ts', 'dist/server/main.js'),
  bundle('scripts/forward.ts', 'dist/server/forward.js'),
]);
