import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../../api/errors.js';
import { DASHBOARD_PATH, DASHBOARD_ROOT, ROOT_PATH } from '../../api/paths.js';
import { sendError } from '../reply.js';

/** The dashboard's Content-Security-Policy: its own scripts only; inline style attributes (virtualized rows
 * position themselves with them) but no inline script; the WebSocket is same-origin (CSP3 'self' covers ws:). */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the built dashboard (Vite output) at {@link DASHBOARD_PATH}, with deep links falling back to index.html. */
export async function dashboardRoutes(app: FastifyInstance, options: { webRoot: string }): Promise<void> {
  // Received payloads are shown on these pages: if one ever slipped past React's escaping, the policy
  // still refuses any script that is not the bundle's own, and no other site may frame the page.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    reply.header('x-frame-options', 'DENY');
  });
  app.get(ROOT_PATH, async (_request, reply) => reply.redirect(DASHBOARD_PATH));
  app.get(DASHBOARD_ROOT, async (_request, reply) => reply.redirect(DASHBOARD_PATH));
  if (!existsSync(join(options.webRoot, 'index.html'))) {
    app.get(`${DASHBOARD_PATH}*`, async (_request, reply) =>
      sendError(reply, 503, ErrorCode.DASHBOARD_NOT_BUILT, 'the dashboard is not built: run `npm run build`'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: options.webRoot,
    prefix: DASHBOARD_PATH,
    index: 'index.html',
    wildcard: false,
    // Hashed asset names never change content; index.html must always be revalidated.
    setHeaders(res, filePath) {
      res.header(
        'cache-control',
        filePath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // Client-side routes such as /dashboard/entities/abc get the page; the router reads the path.
  app.get(`${DASHBOARD_PATH}*`, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html'),
  );
}
