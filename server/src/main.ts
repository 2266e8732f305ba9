import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

/** How long SIGTERM waits for in-flight work before exiting anyway (compose's stop_grace_period is longer). */
export const DRAIN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hookscope: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
  const shutdown = (signal: NodeJS.Signals): void => {
    server.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      server.logger.error('drain took longer than %d ms; exiting', DRAIN_TIMEOUT_MS);
      process.exit(1);
    }, DRAIN_TIMEOUT_MS);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `hookscope failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
