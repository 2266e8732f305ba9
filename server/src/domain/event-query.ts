import type { Action } from './types.js';

/**
 * Filters over events; every given field must match (null, undefined and '' mean "any"). This is the
 * one definition of what a filter means: every store answers exactly what {@link matchesEventQuery}
 * accepts, and live subscribers are filtered by it directly.
 */
export interface EventQuery {
  action?: Action | null;
  entityType?: string | null;
  entityId?: string | null;
  /** Received at or after this instant (epoch ms). */
  sinceMs?: number | null;
  /** Received strictly before this instant (epoch ms). */
  untilMs?: number | null;
  /** A substring of the raw body, ASCII letters compared case-insensitively: see {@link bodyContains}. */
  search?: string | null;
  /** true: only events with schema drift warnings; false: only those without. */
  drift?: boolean | null;
}

/** The facts of a stored event that a filter looks at. */
export interface QueryableEvent {
  action: Action;
  entityType: string;
  entityId: string;
  receivedAtMs: number;
  /** The exact request body. */
  raw: Uint8Array;
  /** Its schema drift warnings (null or absent: none). */
  drift?: readonly string[] | null;
}

// A-Z only: locale-free, and what SQL engines' default LIKE / ILIKE-with-C-collation agree on.
const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
// ignoreBOM keeps a leading byte order mark in the text, as the stored bytes keep it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Whether the raw body, read as UTF-8, contains `term` with ASCII letters folded to lower case and every
 * other character (non-ASCII letters, `%`, `_`, `\`) compared exactly: a plain substring, no wildcards.
 * So `ZEBRA` finds `zebra`, but `NAÏVE` does not find `naïve`. The intake refuses bodies that are not
 * UTF-8; how a store reads bytes that are not UTF-8 (rows written by another program) is its own affair.
 */
export function bodyContains(raw: Uint8Array, term: string): boolean {
  return foldAscii(utf8.decode(raw)).includes(foldAscii(term));
}

/** Whether an event matches a filter (see {@link EventQuery}): the scan every store's answers must equal. */
export function matchesEventQuery(event: QueryableEvent, query: EventQuery): boolean {
  if (query.action && event.action !== query.action) return false;
  if (query.entityType && event.entityType !== query.entityType) return false;
  if (query.entityId && event.entityId !== query.entityId) return false;
  if (query.sinceMs != null && event.receivedAtMs < query.sinceMs) return false;
  if (query.untilMs != null && event.receivedAtMs >= query.untilMs) return false;
  if (query.search && !bodyContains(event.raw, query.search)) return false;
  if (query.drift != null && query.drift !== (event.drift?.length ?? 0) > 0) return false;
  return true;
}
