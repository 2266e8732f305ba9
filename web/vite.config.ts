import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm run dev` finds the API (a hookscope server started separately). */
const apiTarget = process.env.HOOKSCOPE_API ?? 'http://127.0.0.1:8000';

/** The dashboard bundle: served by the hookscope server at /dashboard/ from dist/web. */
export default defineConfig({
  root: webDir,
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Modern browsers only: the page is a developer tool, and this keeps the initial bundle small.
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // Everything that is not the dashboard goes to the API, so the page talks to one origin as in production.
    proxy: {
      '/graphql': { target: apiTarget, ws: true, changeOrigin: true },
      '/events': { target: apiTarget, changeOrigin: true },
      '/entities': { target: apiTarget, changeOrigin: true },
      '/aggregates': { target: apiTarget, changeOrigin: true },
      '/webhooks': { target: apiTarget, changeOrigin: true },
      '/healthz': { target: apiTarget, changeOrigin: true },
    },
  },
});
