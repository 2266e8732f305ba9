import { InputError } from './errors.js';
import type { Keyset } from '../store/types.js';

/** The largest page any list returns. */
export const MAX_PAGE_SIZE = 500;
/** The page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 50;

/** Opaque cursor for a (received_at, id) keyset. */
export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(`${keyset.atMs}:${keyset.id}`, 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; throws an InputError naming `argument` otherwise. */
export function decodeCursor(cursor: string | null | undefined, argument = 'after'): Keyset | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):([0-9A-Za-z_-]{1,64})$/.exec(text);
  if (!match) throw new InputError(argument, 'not a cursor given by this API');
  return { atMs: Number(match[1]), id: match[2] as string };
}

/** Validates a page size. */
export function pageSize(first: number | null | undefined, argument = 'first'): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new InputError(argument, `must be an integer between 0 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}
