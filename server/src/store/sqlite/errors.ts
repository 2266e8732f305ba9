import { StoreUnavailableError } from '../types.js';

// SQLite result codes (primary codes; extended ones like SQLITE_IOERR_WRITE start with them) that say the
// database cannot be used right now for a reason outside the program: no space (SQLITE_FULL, also what
// max_page_count gives), the file or its folder not writable, an I/O error, another connection holding a
// lock past busy_timeout, the file not openable, memory exhausted. Everything else (a constraint, a
// syntax error, a misuse, a corrupt file) is not cured by retrying and is passed on as it is.
const UNAVAILABLE_CODES = [
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
];

/** Whether a driver error says the database is unavailable (see {@link StoreUnavailableError}). */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return false;
  const { code } = error;
  return UNAVAILABLE_CODES.some((primary) => code === primary || code.startsWith(`${primary}_`));
}

/** The error a store call rejects with: a {@link StoreUnavailableError} wrapping `error`, or `error` as is. */
export function classifySqliteError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const { message, code } = error as Error & { code: string };
  return new StoreUnavailableError(`the database is unavailable (${code}): ${message}`, { cause: error });
}

/** `run` with its failures classified by {@link classifySqliteError}: what every store call and job rejects with. */
export function withClassifiedFailures<A extends unknown[], R>(
  run: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      throw classifySqliteError(error);
    }
  };
}
