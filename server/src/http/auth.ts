import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { AccessRole } from '../api/access.js';
import type { AuthConfig } from '../config.js';

/** The session cookie set after a successful sign-in (signed, HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'hookscope_session';
/** The user name of read-only token n (1-based): AUTH_USERS names cannot hold a `:`, so none collides. */
export const READONLY_USER_PREFIX = 'readonly:';
/** How long a session cookie is valid. */
export const SESSION_MAX_AGE_SECONDS = 12 * 3600;

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

/**
 * Checks reader credentials (AUTH_TOKEN or AUTH_USERS) and makes and reads session values. Signing the
 * session cookie is @fastify/cookie's job (with {@link Authenticator.sessionSecret}); this only decides
 * what a value means and when it expires.
 */
export interface Authenticator {
  /** Which credentials are configured: a bearer token (with a sign-in form) or basic-auth users. */
  readonly kind: AuthConfig['kind'];
  /** The key that signs session cookies: derived from the credentials, so changing them signs everyone
   * out, and a restart does not. */
  readonly sessionSecret: Buffer;
  /** The user an Authorization header proves; null for wrong credentials; undefined when the header
   * carries none of the configured scheme (then a session cookie may count). */
  checkAuthorization(header: string | undefined): string | null | undefined;
  /** The user when graphql-ws `connectionParams.authToken` (or the sign-in form's field) is valid: the
   * token, or `user:password`. */
  checkToken(authToken: unknown): string | null;
  /** What the credential that proved `user` may do: read-only tokens are `readonly`, the rest `full`. */
  roleOf(user: string): AccessRole;
  /** A new (unsigned) session value for `user`, valid for {@link SESSION_MAX_AGE_SECONDS} from now. */
  newSession(user: string): string;
  /** The user of an unsigned session value, or null once it has expired or when it is not one of ours. */
  sessionUser(value: string): string | null;
}

/**
 * Creates the credential checks for AUTH_TOKEN or AUTH_USERS, and the bearer tokens of
 * AUTH_READONLY_TOKENS beside either; `now` is the injected clock's.
 */
export function createAuthenticator(
  config: AuthConfig,
  now: () => number,
  readonlyTokens: readonly string[] = [],
): Authenticator {
  const users = config.kind === 'users' ? parseUsers(config.users) : new Map<string, UserEntry>();
  const secret = createHash('sha256')
    .update('hookscope-session\0')
    .update(config.kind === 'token' ? config.token : config.users.join(','));
  // Only when set, so that adding the setting's support signed nobody out; changing the list does.
  if (readonlyTokens.length > 0) secret.update(`\0${readonlyTokens.join(',')}`);
  const sessionSecret = secret.digest();
  /** The read-only user a token proves, or null. Every token is compared: timing tells nothing. */
  const readonlyUser = (text: string): string | null => {
    let user: string | null = null;
    readonlyTokens.forEach((token, i) => {
      if (sameText(text, token)) user = `${READONLY_USER_PREFIX}${i + 1}`;
    });
    return user;
  };
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

  return {
    kind: config.kind,
    sessionSecret,
    checkAuthorization(header = '') {
      const space = header.indexOf(' ');
      const scheme = header.slice(0, space).toLowerCase();
      const value = header.slice(space + 1).trim();
      if (scheme === 'bearer') {
        const readonly = readonlyUser(value);
        if (readonly !== null) return readonly;
        if (config.kind === 'token') return checkCredential(value);
      }
      if (scheme === 'basic' && config.kind === 'users') {
        return checkCredential(Buffer.from(value, 'base64').toString('utf8'));
      }
      return undefined;
    },
    checkToken(authToken) {
      if (typeof authToken !== 'string' || authToken === '') return null;
      return readonlyUser(authToken) ?? checkCredential(authToken);
    },
    roleOf(user) {
      return user.startsWith(READONLY_USER_PREFIX) ? 'readonly' : 'full';
    },
    newSession(user) {
      const expiresMs = now() + SESSION_MAX_AGE_SECONDS * 1000;
      return `${Buffer.from(user, 'utf8').toString('base64url')}.${expiresMs}`;
    },
    sessionUser(value) {
      const match = /^([A-Za-z0-9_-]+)\.(\d{1,16})$/.exec(value);
      if (!match || Number(match[2]) < now()) return null;
      return Buffer.from(match[1] as string, 'base64url').toString('utf8');
    },
  };
}
