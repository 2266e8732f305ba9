import type { FastifyInstance } from 'fastify';

/** Headers every answer carries. Cheap everywhere; the dashboard adds its Content-Security-Policy and
 * frame refusal itself (Apollo Sandbox needs its CDN scripts, so one policy cannot cover both). */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
}
