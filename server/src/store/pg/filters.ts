import { and, eq, gte, isNotNull, isNull, like, lt, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { EventQuery, Keyset } from '../types.js';
import { events } from './schema.js';

/**
 * The conditions of an event query (and the cut-off) over `events`, values bound as parameters. PostgreSQL
 * plans each query anew (drizzle's postgres-js queries are unnamed), so no shape cache is needed.
 */
export function eventConditions(query: EventQuery, cutoffMs: number): SQL {
  const drift = query.drift ?? null;
  return and(
    gte(events.receivedAt, cutoffMs),
    query.action ? eq(events.action, query.action) : undefined,
    query.entityType ? eq(events.entityType, query.entityType) : undefined,
    query.entityId ? eq(events.entityId, query.entityId) : undefined,
    query.sinceMs != null ? gte(events.receivedAt, query.sinceMs) : undefined,
    query.untilMs != null ? lt(events.receivedAt, query.untilMs) : undefined,
    // `IS NOT NULL` as the partial index events_drift_received_at_id_idx states it, so it can serve.
    drift === null ? undefined : drift ? isNotNull(events.drift) : isNull(events.drift),
    query.search ? like(events.searchText, likePattern(query.search)) : undefined,
  ) as SQL;
}

/**
 * The rows before (`<`, newest-first lists) or after (`>`, arrival order) `after`, as a row value,
 * which PostgreSQL answers with one seek on the (time, id) index; drizzle has no word for row values.
 */
export function keyset(at: PgColumn, id: PgColumn, direction: '<' | '>', after: Keyset): SQL {
  return sql`(${at}, ${id}) ${sql.raw(direction)} (${after.atMs}, ${after.id})`;
}

// A-Z only, exactly as domain/event-query.ts folds: PostgreSQL's lower() would fold non-ASCII letters too.
const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The searchable text of a body: decoded as the contract's scan decodes it, A-Z folded. PostgreSQL text
 * cannot hold U+0000, so it becomes U+FFFF (a noncharacter no search term carries in practice).
 */
export function searchTextOf(raw: Uint8Array): string {
  return foldAscii(utf8.decode(raw)).replaceAll('\u0000', '\uffff');
}

/**
 * A search term as a LIKE pattern: folded like the text, its wildcards escaped with a backslash (the
 * default ESCAPE of PostgreSQL's LIKE), so the term is a plain substring.
 */
export function likePattern(term: string): string {
  return `%${foldAscii(term)
    .replaceAll('\u0000', '\uffff')
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
