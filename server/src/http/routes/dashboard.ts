import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCode } from '../../api/errors.js';
import { DASHBOARD_PATH, DASHBOARD_ROOT, GRAPHIQL_PATH, ROOT_PATH } from '../../api/paths.js';
import { sendError } from '../reply.js';

/** The dashboard's policy, as directives: its own scripts only; inline style attributes (virtualized rows
 * position themselves with them) but no inline script; the WebSocket is same-origin (CSP3 'self' covers ws:). */
const DASHBOARD_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** The dashboard's Content-Security-Policy (see {@link DASHBOARD_DIRECTIVES}). */
export const DASHBOARD_CSP = DASHBOARD_DIRECTIVES.join('; ');

/** The built query IDE's page in the web root (Vite's second entry). */
const GRAPHIQL_HTML = 'graphiql.html';

/**
 * The query IDE's policy (GraphiQL on Monaco), for its page only: the dashboard's, plus two directives for
 * what Monaco does (docs/security.md, "The query IDE"): `font-src data:` for the icon fonts GraphiQL's and
 * Monaco's stylesheets inline, and `worker-src 'self'` named for the editor's web workers (ES modules from
 * /dashboard/assets/; no blob: workers). Still no remote origin, no inline script and no eval.
 */
export const GRAPHIQL_CSP = [...DASHBOARD_DIRECTIVES, "worker-src 'self'", "font-src 'self' data:"].join(
  '; ',
);

/** Serves the built dashboard (Vite output) at {@link DASHBOARD_PATH}, with deep links falling back to index.html. */
export async function dashboardRoutes(app: FastifyInstance, options: { webRoot: string }): Promise<void> {
  // Received payloads are shown on these pages: if one ever slipped past React's escaping, the policy
  // still refuses any script that is not the bundle's own, and no other site may frame the page.
  app.addHook('onSend', async (request, reply) => {
    const page = request.url.split('?', 1)[0];
    reply.header('content-security-policy', page === GRAPHIQL_PATH ? GRAPHIQL_CSP : DASHBOARD_CSP);
    reply.header('x-frame-options', 'DENY');
  });
  app.get(ROOT_PATH, async (_request, reply) => reply.redirect(DASHBOARD_PATH));
  app.get(DASHBOARD_ROOT, async (_request, reply) => reply.redirect(DASHBOARD_PATH));
  if (!existsSync(join(options.webRoot, 'index.html'))) {
    const notBuilt = async (_request: unknown, reply: FastifyReply) =>
      sendError(reply, 503, ErrorCode.DASHBOARD_NOT_BUILT, 'the dashboard is not built: run `npm run build`');
    app.get(`${DASHBOARD_PATH}*`, notBuilt);
    app.get(GRAPHIQL_PATH, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root: options.webRoot,
    prefix: DASHBOARD_PATH,
    index: 'index.html',
    wildcard: false,
    // The query IDE's page is served at GRAPHIQL_PATH, with its own policy, and nowhere else.
    allowedPath: (pathName) => pathName !== `/${GRAPHIQL_HTML}`,
    // Hashed asset names never change content; index.html must always be revalidated.
    setHeaders(res, filePath) {
      res.header(
        'cache-control',
        filePath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // The browser reaches the GraphQL API from the same origin, so the session cookie (AUTH_TOKEN's sign-in)
  // or basic-auth credentials the reader guard asked for travel with its requests and its WebSocket.
  app.get(GRAPHIQL_PATH, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').sendFile(GRAPHIQL_HTML),
  );
  // Client-side routes such as /dashboard/entities/abc get the page; the router reads the path.
  app.get(`${DASHBOARD_PATH}*`, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html'),
  );
}
