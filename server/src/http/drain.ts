import type { FastifyInstance } from 'fastify';

/** What the drain tells the doors that share the port. */
export interface Drain {
  /**
   * Resolves once the app is closing and no routed request is left: a WebSocket door closes its sockets
   * then, so that what those last requests commit is still delivered on them.
   */
  requestsDone(): Promise<void>;
}

/**
 * Drain on close: requests already routed are answered; a connection holding no routed request is cut
 * (its request, if any, gets no answer rather than waiting for Fastify's 10 s fallback). Node only reaps
 * connections idle at the moment close() is called, so the reaper repeats until Fastify has closed.
 */
export function registerDrain(fastify: FastifyInstance): Drain {
  let routed = 0;
  let closing = false;
  let reaper: NodeJS.Timeout | null = null;
  let settle: (() => void) | null = null;
  const done = new Promise<void>((resolve) => (settle = resolve));
  const check = (): void => {
    if (closing && routed === 0) settle?.();
  };
  fastify.addHook('onRequest', async (_request, reply) => {
    routed += 1;
    reply.raw.once('close', () => {
      routed -= 1;
      check();
    });
  });
  fastify.addHook('preClose', async () => {
    closing = true;
    check();
    reaper = setInterval(() => {
      fastify.server.closeIdleConnections();
      if (routed === 0) fastify.server.closeAllConnections();
    }, 25);
  });
  fastify.addHook('onClose', async () => {
    if (reaper) clearInterval(reaper);
    // However it ended (a request that never closed is cut by Fastify's own fallback), nobody waits longer.
    settle?.();
  });
  return { requestsDone: () => done };
}
