import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** Builds the dashboard bundle the e2e server serves, so the browser tests exercise the production build. */
export default async function setup(): Promise<void> {
  // Vitest sets NODE_ENV=test, and Vite would then bundle React's development build: ask for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
