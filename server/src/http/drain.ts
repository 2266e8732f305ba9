import type { FastifyInstance } from 'fastify';

/**
 * Drain on close: requests already routed are answered; a connection holding no routed request is cut
 * (its request, if any, gets no answer rather than waiting for Fastify's 10 s fallback). Node only reaps
 * connections idle at the moment close() is called, so the reaper repeats until Fastify has closed.
 */
export function registerDrain(fastify: FastifyInstance): void {
  let routed = 0;
  let reaper: NodeJS.Timeout | null = null;
  fastify.addHook('onRequest', async (_request, reply) => {
    routed += 1;
    reply.raw.once('close', () => (routed -= 1));
  });
  fastify.addHook('preClose', async () => {
    reaper = setInterval(() => {
      fastify.server.closeIdleConnections();
      if (routed === 0) fastify.server.closeAllConnections();
    }, 25);
  });
  fastify.addHook('onClose', async () => {
    if (reaper) clearInterval(reaper);
  });
}
