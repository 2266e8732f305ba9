import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { extractOperations } from './src/graphiql/readme-operations.js';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
/** Where `npm run dev` finds the API (a hookscope server started separately). */
const apiTarget = process.env.HOOKSCOPE_API ?? 'http://127.0.0.1:8000';

const READ_ME_OPERATIONS = 'virtual:readme-operations';

/** `import operations from 'virtual:readme-operations'`: the README's ```graphql examples, read at build
 * time (and again when the README changes in dev), so the query IDE preloads exactly what the README shows. */
function readmeOperations(): Plugin {
  const resolved = `\0${READ_ME_OPERATIONS}`;
  return {
    name: 'readme-operations',
    resolveId: (id) => (id === READ_ME_OPERATIONS ? resolved : undefined),
    load(id) {
      if (id !== resolved) return undefined;
      this.addWatchFile(readmePath);
      return `export default ${JSON.stringify(extractOperations(readFileSync(readmePath, 'utf8')))};`;
    },
  };
}

/** `npm run dev`: the query IDE at /graphiql, as the server serves it (Vite would serve it at /dashboard/graphiql.html). */
function graphiqlDevPath(): Plugin {
  return {
    name: 'graphiql-dev-path',
    configureServer(server) {
      server.middlewares.use((request, _response, next) => {
        const [path, query] = (request.url ?? '').split('?', 2);
        if (path === '/graphiql')
          request.url = `/dashboard/graphiql.html${query === undefined ? '' : `?${query}`}`;
        next();
      });
    },
  };
}

/** The dashboard and the query IDE: two pages served by the hookscope server, at /dashboard/ and /graphiql,
 * from dist/web (assets under /dashboard/assets/). */
export default defineConfig({
  root: webDir,
  base: '/dashboard/',
  plugins: [react(), readmeOperations(), graphiqlDevPath()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Modern browsers only: the page is a developer tool, and this keeps the initial bundle small.
    target: 'es2022',
    sourcemap: false,
    // Monaco (the query IDE's editor) is one chunk of about 2.8 MB, loaded by /graphiql only; the dashboard's
    // initial bundle has its own budget, checked by web/e2e/graphiql.test.ts.
    chunkSizeWarningLimit: 3_000,
    rolldownOptions: {
      // GraphiQL's packages carry React Compiler's "use no memo" directives, which a bundle cannot keep:
      // harmless, and hundreds of lines of noise in every build.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      // Two entries, so GraphiQL (Monaco included) never reaches the dashboard's bundle.
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('graphiql.html', import.meta.url)),
      },
    },
  },
  // GraphiQL's worker setup imports Monaco's workers with `?worker`, which only Vite's worker plugin can load:
  // the dev server's dependency pre-bundling must leave that one module alone.
  optimizeDeps: { exclude: ['graphiql/setup-workers/vite', '@graphiql/react/setup-workers/vite'] },
  // Monaco's workers are ES modules loaded from /dashboard/assets/ (same origin, so `worker-src 'self'`).
  worker: { format: 'es' },
  server: {
    // Everything that is not the dashboard goes to the API, so the page talks to one origin as in production.
    proxy: {
      '/graphql': { target: apiTarget, ws: true, changeOrigin: true },
      '/events': { target: apiTarget, changeOrigin: true },
      '/entities': { target: apiTarget, changeOrigin: true },
      '/aggregates': { target: apiTarget, changeOrigin: true },
      '/webhooks': { target: apiTarget, changeOrigin: true },
      '/healthz': { target: apiTarget, changeOrigin: true },
      '/readyz': { target: apiTarget, changeOrigin: true },
    },
  },
});
