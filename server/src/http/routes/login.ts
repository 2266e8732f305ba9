import type { FastifyInstance } from 'fastify';
import { DASHBOARD_PATH, LOGIN_PATH } from '../../api/paths.js';
import type { Authenticator } from '../auth.js';
import { setSessionCookie } from '../reader-guard.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Only local paths: an open redirect would let a link send a signed-in user anywhere. */
function localPath(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')
    ? next
    : DASHBOARD_PATH;
}

const loginPage = (next: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hookscope: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto">
<h1>hookscope</h1>
<form method="post" action="${LOGIN_PATH}?next=${escapeHtml(encodeURIComponent(next))}">
<label>Access token (AUTH_TOKEN)<br><input type="password" name="token" autocomplete="current-password" required autofocus style="width: 100%"></label>
<p><button type="submit">Sign in</button></p>
</form></body></html>`;

/** The AUTH_TOKEN sign-in form (basic auth uses the browser's own prompt): GET shows it, POST checks the
 * token, sets the session cookie and sends the browser back to `next` (a local path only). */
export async function loginRoutes(app: FastifyInstance, options: { auth: Authenticator }): Promise<void> {
  const { auth } = options;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4_096 },
    (_request, body, done) => done(null, new URLSearchParams(body as string)),
  );
  app.get<{ Querystring: { next?: string } }>(LOGIN_PATH, async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(loginPage(localPath(request.query.next))),
  );
  app.post<{ Querystring: { next?: string } }>(LOGIN_PATH, async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const user = auth.checkToken(form.get('token'));
    if (user === null) {
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(loginPage(localPath(request.query.next)));
    }
    setSessionCookie(reply, auth, user);
    return reply.code(303).header('location', localPath(request.query.next)).send();
  });
}
