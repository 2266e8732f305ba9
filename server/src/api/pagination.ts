import { InputError } from './errors.js';
import type { Keyset, Page } from '../store/types.js';

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

/** The largest bound a bounded count takes (its work grows with the bound). */
export const MAX_COUNT_BOUND = 10_000;
/** The bound when none is asked for (the schema's default too). */
export const DEFAULT_COUNT_BOUND = 1_000;

/** Validates the bound of a bounded count (`EventConnection.count(atMost:)`). */
export function countBound(atMost: number | null | undefined, argument = 'atMost'): number {
  const bound = atMost ?? DEFAULT_COUNT_BOUND;
  if (!Number.isInteger(bound) || bound < 1 || bound > MAX_COUNT_BOUND) {
    throw new InputError(argument, `must be an integer between 1 and ${MAX_COUNT_BOUND}`);
  }
  return bound;
}

/** The page arguments every list takes (`first`, `after`), validated. */
export function pageArgs(args: { first?: number | null; after?: string | null }): {
  first: number;
  after: Keyset | null;
} {
  return { first: pageSize(args.first), after: decodeCursor(args.after) };
}

/** The position of an event or a refused delivery in its newest-first list. */
export const arrivalKeyset = (row: { receivedAtMs: number; id: string }): Keyset => ({
  atMs: row.receivedAtMs,
  id: row.id,
});

/** A page as GraphQL and REST return it: each node with its cursor, whether more follow, and the total,
 * counted only when asked for. */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** Turns a store page into a connection, each node's cursor made from its keyset. */
export function toConnection<T>(
  page: Page<T>,
  keysetOf: (node: T) => Keyset,
  totalCount: () => Promise<number>,
): Connection<T> {
  return {
    edges: page.rows.map((node) => ({ cursor: encodeCursor(keysetOf(node)), node })),
    hasNextPage: page.hasNextPage,
    totalCount,
  };
}

/** The cursor that asks for the page after this one, or null on the last page (REST's `nextCursor`). */
export function nextCursor<T>(page: Page<T>, keysetOf: (node: T) => Keyset): string | null {
  const last = page.rows.at(-1);
  return page.hasNextPage && last !== undefined ? encodeCursor(keysetOf(last)) : null;
}
