import type { FastifyInstance } from 'fastify';
import { HEALTH_PATH, READY_PATH } from '../../api/paths.js';
import type { Readiness } from '../readiness.js';

/** Options of {@link healthRoutes}. */
export interface HealthRouteOptions {
  readiness: Readiness;
}

/**
 * Registers the probes. Liveness: 200 `{"status": "ok"}` while the process serves requests. Readiness:
 * 200 `{"status": "ready"}` when this replica may be sent traffic, else 503 with `status` (`draining` or
 * `unavailable`) and a `reason` in words; never cached by anything in between.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  app.get(HEALTH_PATH, async () => ({ status: 'ok' }));
  app.get(READY_PATH, async (_request, reply) => {
    const state = await options.readiness.check();
    reply.header('cache-control', 'no-store');
    if (state.ready) return { status: 'ready' };
    return reply.code(503).send({ status: state.status, reason: state.reason });
  });
}
