import type { FastifyInstance } from 'fastify';
import { HEALTH_PATH } from '../../api/paths.js';

/** Registers the liveness probe: 200 `{"status": "ok"}` while the process serves requests. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(HEALTH_PATH, async () => ({ status: 'ok' }));
}
