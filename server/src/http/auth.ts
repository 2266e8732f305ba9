import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config.js';
import { ErrorCode } from '../api/errors.js';
import { sendError } from './reply.js';

/** The session cookie set after a successful login (HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'hookscope_session';
/** How long a session cookie is valid. */
export const SESSION_MAX_AGE_SECONDS = 12 * 3600;
/** The login form for AUTH_TOKEN (basic auth uses the browser's own prompt). */
export const LOGIN_PATH = '/login';

// Routes anyone may reach: the webhook is governed by its signature, health by nothing (probes carry no secret).
const PUBLIC_PATHS = new Set(['/webhooks/event', '/healthz', LOGIN_PATH]);

/** Hashes a password in the AUTH_USERS format `scrypt.N.r.p.salt.hash` (base64url parts). */
export function hashPassword(password: string, salt: Buffer = randomBytes(16)): string {
  const [N, r, p] = [16_384, 8, 1];
  const hash = scryptSync(password, salt, 32, { N, r, p });
  return `scrypt.${N}.${r}.${p}.${salt.toString('base64url')}.${hash.toString('base64url')}`;
}

interface UserEntry {
  name: string;
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseUsers(entries: readonly string[]): Map<string, UserEntry> {
  const users = new Map<string, UserEntry>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const name = entry.slice(0, colon);
    const [, N, r, p, salt, hash] = entry.slice(colon + 1).split('.');
    users.set(name, {
      name,
      N: Number(N),
      r: Number(r),
      p: Number(p),
      salt: Buffer.from(salt ?? '', 'base64url'),
      hash: Buffer.from(hash ?? '', 'base64url'),
    });
  }
  return users;
}

function sameText(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so timingSafeEqual never throws and length leaks nothing.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function cookieValue(headers: IncomingHttpHeaders, name: string): string | null {
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Checks reader credentials: a bearer token, basic auth, a session cookie, or graphql-ws connectionParams. */
export interface Authenticator {
  /** The user name when the request's headers (Authorization or session cookie) carry valid credentials. */
  check(headers: IncomingHttpHeaders): string | null;
  /** The user name when graphql-ws `connectionParams.authToken` is valid (the token, or `user:password`). */
  checkToken(authToken: unknown): string | null;
  /** A signed session cookie for `user`, valid from `nowMs`. */
  session(user: string, nowMs: number): string;
}

/** Creates the credential checks for AUTH_TOKEN or AUTH_USERS. */
export function createAuthenticator(config: AuthConfig, now: () => number = Date.now): Authenticator {
  const users = config.kind === 'users' ? parseUsers(config.users) : new Map<string, UserEntry>();
  // Sessions are signed with a key derived from the credentials: changing AUTH_TOKEN or AUTH_USERS
  // invalidates every session, and a restart does not.
  const sessionKey = createHash('sha256')
    .update('hookscope-session\0')
    .update(config.kind === 'token' ? config.token : config.users.join(','))
    .digest();
  // scrypt costs ~50 ms by design; remember recent successes so a dashboard's requests do not each pay it.
  const verified = new Map<string, string>();

  const checkPassword = (name: string, password: string): string | null => {
    const cacheKey = createHash('sha256').update(`${name}\0${password}`).digest('base64');
    const cached = verified.get(cacheKey);
    if (cached !== undefined) return cached;
    const user = users.get(name);
    if (!user) {
      // Same work for unknown users as for known ones, so timing does not reveal which names exist.
      scryptSync(password, 'hookscope-unknown-user', 32);
      return null;
    }
    const hash = scryptSync(password, user.salt, user.hash.length, { N: user.N, r: user.r, p: user.p });
    if (!timingSafeEqual(hash, user.hash)) return null;
    if (verified.size > 1_000) verified.clear();
    verified.set(cacheKey, user.name);
    return user.name;
  };

  const checkCredential = (text: string): string | null => {
    if (config.kind === 'token') return sameText(text, config.token) ? 'token' : null;
    const colon = text.indexOf(':');
    return colon > 0 ? checkPassword(text.slice(0, colon), text.slice(colon + 1)) : null;
  };

  const sign = (payload: string): string =>
    createHmac('sha256', sessionKey).update(payload).digest('base64url');

  const checkSession = (value: string): string | null => {
    const [user64, expires, mac] = value.split('.');
    if (!user64 || !expires || !mac || !sameText(sign(`${user64}.${expires}`), mac)) return null;
    if (!/^\d+$/.test(expires) || Number(expires) < now()) return null;
    return Buffer.from(user64, 'base64url').toString('utf8');
  };

  return {
    check(headers) {
      const authorization = headers.authorization ?? '';
      const space = authorization.indexOf(' ');
      const scheme = authorization.slice(0, space).toLowerCase();
      const value = authorization.slice(space + 1).trim();
      if (scheme === 'bearer' && config.kind === 'token') return checkCredential(value);
      if (scheme === 'basic' && config.kind === 'users') {
        return checkCredential(Buffer.from(value, 'base64').toString('utf8'));
      }
      const cookie = cookieValue(headers, SESSION_COOKIE);
      return cookie ? checkSession(cookie) : null;
    },
    checkToken(authToken) {
      return typeof authToken === 'string' && authToken !== '' ? checkCredential(authToken) : null;
    },
    session(user, nowMs) {
      const payload = `${Buffer.from(user, 'utf8').toString('base64url')}.${nowMs + SESSION_MAX_AGE_SECONDS * 1000}`;
      return `${payload}.${sign(payload)}`;
    },
  };
}

function setSessionCookie(reply: FastifyReply, request: FastifyRequest, value: string): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_SECONDS}${secure}`,
  );
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Only local paths: an open redirect would let a link send a signed-in user anywhere. */
function localPath(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')
    ? next
    : '/dashboard/';
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

function isPublic(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return PUBLIC_PATHS.has(path);
}

/**
 * Guards every reader route (dashboard, /graphql over HTTP, REST reads) with AUTH_TOKEN or AUTH_USERS.
 * Browsers sign in once (the login form for a token, the browser's basic-auth prompt for users) and then
 * carry an HttpOnly SameSite=Strict session cookie, which also travels with the WebSocket upgrade.
 * Registered on the root instance so that it runs before every route's own hooks.
 */
export function registerAuth(app: FastifyInstance, auth: Authenticator, config: AuthConfig): void {
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request.url)) return;
    // The WebSocket upgrade does not pass through Fastify routes; graphql-ws checks it in onConnect.
    const user = auth.check(request.headers);
    if (user !== null) {
      // A browser that proved basic-auth credentials gets a session, so its WebSocket (which browsers
      // open without the Authorization header) is let in too.
      if (request.headers.authorization && !request.headers.cookie?.includes(`${SESSION_COOKIE}=`)) {
        setSessionCookie(reply, request, auth.session(user, Date.now()));
      }
      return;
    }
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (config.kind === 'users') {
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
      config.kind === 'token'
        ? 'send Authorization: Bearer <AUTH_TOKEN> (or sign in at /login)'
        : 'send basic-auth credentials of a user in AUTH_USERS',
    );
  });

  if (config.kind !== 'token') return;
  app.get<{ Querystring: { next?: string } }>(LOGIN_PATH, async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(loginPage(localPath(request.query.next))),
  );
  app.register(async (login) => {
    login.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4_096 },
      (_request, body, done) => done(null, new URLSearchParams(body as string)),
    );
    login.post<{ Querystring: { next?: string } }>(LOGIN_PATH, async (request, reply) => {
      const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      const user = auth.checkToken(form.get('token'));
      if (user === null) {
        return reply
          .code(401)
          .type('text/html; charset=utf-8')
          .send(loginPage(localPath(request.query.next)));
      }
      setSessionCookie(reply, request, auth.session(user, Date.now()));
      return reply.code(303).header('location', localPath(request.query.next)).send();
    });
  });
}
