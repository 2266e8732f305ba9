import { StoreUnavailableError } from '../types.js';

// What says "PostgreSQL cannot serve this now, for a reason outside the program; the same call may
// succeed later" (StoreUnavailableError: the webhook answers 503 with Retry-After). Everything else (a
// constraint, a syntax error, a type mismatch) is a bug and is passed on as it is.

/** Node's socket errors and postgres.js's own connection errors (`error.code`). */
const UNAVAILABLE_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * SQLSTATE classes and codes: connection exceptions (08), insufficient resources (53: disk full 53100,
 * out of memory 53200, too many connections 53300), operator intervention (57: query canceled by
 * statement_timeout 57014, admin shutdown 57P01, crash shutdown 57P02, cannot connect now 57P03),
 * read-only transaction (25006, a standby or default_transaction_read_only), serialization failure and
 * deadlock (40001, 40P01), lock not available (55P03, lock_timeout), system I/O error (58030).
 */
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57'];
const UNAVAILABLE_SQLSTATES = new Set(['25006', '40001', '40P01', '55P03', '58030']);

/**
 * The driver's error behind `error`: drizzle wraps what postgres.js throws in a DrizzleQueryError
 * ("Failed query: …", the driver's error as `cause`), which carries no `code` of its own.
 */
export function driverErrorOf(error: unknown): (Error & { code: string }) | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string') return current as Error & { code: string };
    current = current.cause;
  }
  return null;
}

/** Whether a driver error says the database is unavailable (see {@link StoreUnavailableError}). */
export function isUnavailable(error: unknown): boolean {
  const driverError = driverErrorOf(error);
  if (!driverError) return false;
  const { code } = driverError;
  if (UNAVAILABLE_CONNECTION_CODES.has(code)) return true;
  // A PostgresError: `code` is the five-character SQLSTATE.
  if (driverError.name === 'PostgresError' || /^[0-9A-Z]{5}$/.test(code)) {
    return UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  }
  return false;
}

/** The error a store call rejects with: a {@link StoreUnavailableError} wrapping `error`, or `error` as is. */
export function classifyPgError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const { message, code } = driverErrorOf(error) as Error & { code: string };
  return new StoreUnavailableError(`the database is unavailable (${code}): ${message}`, { cause: error });
}

/** `run` with its failures classified by {@link classifyPgError}: what every store call rejects with. */
export function withClassifiedFailures<A extends unknown[], R>(
  run: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      throw classifyPgError(error);
    }
  };
}

/** Whether an insert failed for want of a partition for its received_at (SQLSTATE 23514, "no partition"). */
export function isMissingPartition(error: unknown): boolean {
  const driverError = driverErrorOf(error);
  return driverError?.code === '23514' && /no partition of relation/.test(driverError.message);
}
