import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AccessRole } from '../api/access.js';
import { ErrorCode } from '../api/errors.js';
import { HEALTH_PATH, LOGIN_PATH, READY_PATH, WEBHOOK_PATH } from '../api/paths.js';
import { SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, type Authenticator } from './auth.js';
import { sendError } from './reply.js';

/** Paths anyone may reach: the webhook is governed by its signature, health and readiness by nothing (probes carry no
 * secret), and the sign-in form must be reachable to sign in. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([WEBHOOK_PATH, HEALTH_PATH, READY_PATH, LOGIN_PATH]);

/** Whether a request or an in-band credential (graphql-ws `connectionParams.authToken`) signs in a reader. */
export type ConnectionAuthorizer = (request: IncomingMessage, credential: unknown) => boolean;

/** The checks a door applies to what it accepts itself: who is let in, and with what role. */
export interface ReaderChecks {
  authorize: ConnectionAuthorizer;
  /** The role of the credential a request (or an in-band credential) proves; `readonly` when none. */
  roleOf(request: IncomingMessage, credential: unknown): AccessRole;
}

/** Sets the signed session cookie for `user` (HttpOnly, SameSite=Strict, Secure over HTTPS). */
export function setSessionCookie(reply: FastifyReply, auth: Authenticator, user: string): void {
  reply.setCookie(SESSION_COOKIE, auth.newSession(user), {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure: 'auto',
    path: '/',
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
}

/**
 * Guards every reader route (dashboard, /graphql over HTTP, REST reads) with AUTH_TOKEN or AUTH_USERS.
 * Browsers sign in once (the login form for a token, the browser's basic-auth prompt for users) and then
 * carry the session cookie, which also travels with the WebSocket upgrade. Register it on the root
 * instance before the routes, so that it runs before their own hooks. Returns the same check for the
 * connections a door accepts itself (the WebSocket upgrade does not pass through Fastify's hooks), and
 * the role each credential has.
 */
export async function registerReaderGuard(app: FastifyInstance, auth: Authenticator): Promise<ReaderChecks> {
  // No parsing hook: the webhook, at its rates, has no use for cookies; the guard parses them itself.
  await app.register(fastifyCookie, { secret: auth.sessionSecret, hook: false });
  const userOf = (headers: IncomingHttpHeaders): string | null => {
    const user = auth.checkAuthorization(headers.authorization);
    if (user !== undefined) return user;
    const signed = headers.cookie ? app.parseCookie(headers.cookie)[SESSION_COOKIE] : undefined;
    if (signed === undefined) return null;
    const session = app.unsignCookie(signed);
    return session.valid && session.value !== null ? auth.sessionUser(session.value) : null;
  };

  app.addHook('onRequest', async (request, reply) => {
    if (PUBLIC_PATHS.has(request.url.split('?', 1)[0] ?? '')) return;
    const user = userOf(request.headers);
    if (user !== null) {
      // A browser that proved basic-auth credentials gets a session, so its WebSocket (which browsers
      // open without the Authorization header) is let in too.
      if (request.headers.authorization && !request.headers.cookie?.includes(`${SESSION_COOKIE}=`)) {
        setSessionCookie(reply, auth, user);
      }
      return;
    }
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (auth.kind === 'users') {
      reply.header('www-authenticate', 'Basic realm="hookscope", charset="UTF-8"');
    } else if (wantsPage) {
      return reply.redirect(`${LOGIN_PATH}?next=${encodeURIComponent(request.url)}`);
    } else {
      reply.header('www-authenticate', 'Bearer realm="hookscope"');
    }
    return sendError(
      reply,
      401,
      ErrorCode.UNAUTHENTICATED,
      auth.kind === 'token'
        ? `send Authorization: Bearer <AUTH_TOKEN> (or sign in at ${LOGIN_PATH})`
        : 'send basic-auth credentials of a user in AUTH_USERS',
    );
  });
  const userOfConnection = (request: IncomingMessage, credential: unknown): string | null =>
    userOf(request.headers) ?? auth.checkToken(credential);
  return {
    authorize: (request, credential) => userOfConnection(request, credential) !== null,
    roleOf(request, credential) {
      const user = userOfConnection(request, credential);
      // Nobody proven is given the least: the guard has refused such requests already.
      return user === null ? 'readonly' : auth.roleOf(user);
    },
  };
}
