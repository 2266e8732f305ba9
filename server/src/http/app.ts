import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppMount, ConnectionGuards } from '../api/mount.js';
import type { Config } from '../config.js';
import type { Ingest } from '../intake/ingest.js';
import type { Clock } from '../shared/clock.js';
import type { Authenticator } from './auth.js';
import { registerDrain } from './drain.js';
import { registerReaderGuard } from './reader-guard.js';
import type { AccessRole } from '../api/access.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { loginRoutes } from './routes/login.js';
import { restRoutes, type RestRouteOptions } from './routes/rest.js';
import { webhookRoutes } from './routes/webhook.js';
import type { Readiness } from './readiness.js';
import { registerSecurityHeaders } from './security-headers.js';
import { guardSlowConsumer, originAllowed } from './websocket.js';

/** The settings the HTTP app reads: limits and timeouts, the webhook signature, the WebSocket guards. */
export type HttpSettings = Pick<
  Config,
  | 'maxBodyBytes'
  | 'webhookSignature'
  | 'httpHeadersTimeoutMs'
  | 'httpRequestTimeoutMs'
  | 'allowedOrigins'
  | 'wsMaxBufferedBytes'
>;

/** Everything the HTTP app needs, wired by the composition root. */
export interface AppDeps extends RestRouteOptions {
  settings: HttpSettings;
  logger: Logger;
  clock: Clock;
  /** Reader credentials (AUTH_TOKEN or AUTH_USERS), or null when reads are open. */
  auth: Authenticator | null;
  ingest: Ingest;
  /** What `/readyz` answers (the composition root turns it to draining on SIGTERM). */
  readiness: Readiness;
  /** Where the built dashboard is. */
  webRoot: string;
  /** Doors on the same port (GraphQL), registered after the app's hooks and closed before Fastify. */
  mounts: readonly AppMount[];
}

/** The HTTP app, and how to close it. */
export interface App {
  fastify: FastifyInstance;
  /** Closes Fastify (in-flight requests are answered) and the mounts: open WebSockets get 1012 once the last
   * routed request is done. */
  close(): Promise<void>;
}

/** Creates Fastify with every route, and the mounts (GraphQL over HTTP and graphql-ws) on the same port. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { settings, logger } = deps;
  const fastify = createFastify(settings, logger);
  const drain = registerDrain(fastify);
  const checks = deps.auth
    ? await registerReaderGuard(fastify, deps.auth)
    : { authorize: () => true, roleOf: (): AccessRole => 'full' };
  if (deps.auth?.kind === 'token') await fastify.register(loginRoutes, { auth: deps.auth });
  registerSecurityHeaders(fastify);
  await fastify.register(webhookRoutes, {
    ingest: deps.ingest,
    maxBodyBytes: settings.maxBodyBytes,
    signature: settings.webhookSignature,
    now: () => deps.clock.now(),
  });
  await fastify.register(restRoutes, { reads: deps.reads, entities: deps.entities, cutoffMs: deps.cutoffMs });
  const guards: ConnectionGuards = {
    authorize: checks.authorize,
    roleOf: checks.roleOf,
    // Cross-site WebSocket hijacking: a page elsewhere must not ride on this browser's cookies.
    upgradeAllowed: (request: IncomingMessage) => originAllowed(request, settings.allowedOrigins),
    watchSocket: (socket) =>
      guardSlowConsumer(socket, settings.wsMaxBufferedBytes, (bufferedBytes) =>
        logger.warn({ bufferedBytes }, 'WebSocket client stopped reading; disconnected'),
      ),
    requestsDone: () => drain.requestsDone(),
  };
  for (const mount of deps.mounts) await mount.register(fastify, guards);
  await fastify.register(dashboardRoutes, { webRoot: deps.webRoot });
  await fastify.register(healthRoutes, { readiness: deps.readiness });
  return {
    fastify,
    async close() {
      for (const mount of deps.mounts) await mount.close();
      await fastify.close();
    },
  };
}

/** Fastify with the request deadlines: behind a proxy or not, a slow client must not hold a socket forever. */
function createFastify(settings: HttpSettings, logger: Logger): FastifyInstance {
  return Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request would drown the log at webhook rates; refusals and errors are logged by the routes.
    logController: new LogController({ disableRequestLogging: true }),
    // Headers and the whole request each have a deadline, checked often enough that a short deadline is
    // honoured (Node's default check interval is 30 s).
    requestTimeout: settings.httpRequestTimeoutMs,
    http: {
      headersTimeout: settings.httpHeadersTimeoutMs,
      requestTimeout: settings.httpRequestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, settings.httpHeadersTimeoutMs / 4)),
    },
    return503OnClosing: true,
  });
}
