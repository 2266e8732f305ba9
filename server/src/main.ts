import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

/** How long SIGTERM waits for in-flight work, after DRAIN_DELAY, before exiting anyway (compose's
 * stop_grace_period is longer). */
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
  let draining = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    // A second signal while draining means "now": an operator pressing Ctrl-C twice.
    if (draining) {
      server.logger.warn({ signal }, 'second signal while draining; exiting now');
      process.exit(1);
    }
    draining = true;
    server.logger.info({ signal }, 'shutting down');
    const limitMs = config.drainDelayMs + DRAIN_TIMEOUT_MS;
    const timer = setTimeout(() => {
      server.logger.error('drain took longer than %d ms; exiting', limitMs);
      process.exit(1);
    }, limitMs);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: with no listener left, a loader such as tsx (`node --import tsx`) re-raises the
  // signal and the process dies mid-drain.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `hookscope failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
