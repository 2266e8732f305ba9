import { and, eq, gte, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { EventQuery, Keyset } from '../types.js';
import { events } from './schema.js';

/** Values bound to a prepared statement's placeholders. */
export type Params = Record<string, string | number>;

/** The conditions of an event query over placeholders, ready for a prepared statement. */
export interface EventFilter {
  /** The and(...) of the cut-off and every filter given, except `search`. */
  where: SQL;
  /** The placeholders' values. */
  params: Params;
  /** Which conditions are present: a statement prepared for one filter serves all of its shape. */
  shape: string;
}

/** The filters of `query` other than `search`, and the cut-off, as conditions over `events`. */
export function eventFilter(query: EventQuery, cutoffMs: number): EventFilter {
  const params: Params = { cutoff: cutoffMs };
  if (query.action) params.action = query.action;
  if (query.entityType) params.entityType = query.entityType;
  if (query.entityId) params.entityId = query.entityId;
  if (query.sinceMs != null) params.since = query.sinceMs;
  if (query.untilMs != null) params.until = query.untilMs;
  const drift = query.drift ?? null;
  let where: SQL | undefined;
  return {
    // Built on first read only: a statement of this shape is usually prepared already.
    get where() {
      where ??= and(
        gte(events.receivedAt, sql.placeholder('cutoff')),
        'action' in params ? eq(events.action, sql.placeholder('action')) : undefined,
        'entityType' in params ? eq(events.entityType, sql.placeholder('entityType')) : undefined,
        'entityId' in params ? eq(events.entityId, sql.placeholder('entityId')) : undefined,
        'since' in params ? gte(events.receivedAt, sql.placeholder('since')) : undefined,
        'until' in params ? lt(events.receivedAt, sql.placeholder('until')) : undefined,
        // `IS NOT NULL` as the partial index events_drift_received_at_id_idx states it, so it can serve.
        drift === null ? undefined : drift ? isNotNull(events.drift) : isNull(events.drift),
      ) as SQL;
      return where;
    },
    params,
    // The drift condition binds nothing, so the shape names it: true and false are different statements.
    shape: [...Object.keys(params), ...(drift === null ? [] : [`drift=${drift}`])].join(','),
  };
}

/**
 * The rows before (`<`, newest-first lists) or after (`>`, arrival order) the position bound to the
 * placeholders `afterAt` and `afterId` ({@link keysetParams}). The row-value form, which SQLite answers
 * with one seek on the (time, id) index; drizzle has no word for row values.
 */
export function keyset(at: SQLiteColumn, id: SQLiteColumn, direction: '<' | '>'): SQL {
  return sql`(${at}, ${id}) ${sql.raw(direction)} (${sql.placeholder('afterAt')}, ${sql.placeholder('afterId')})`;
}

/** The values of {@link keyset}'s placeholders, or none without a position. */
export function keysetParams(after: Keyset | null): Params {
  return after ? { afterAt: after.atMs, afterId: after.id } : {};
}

/** Escapes LIKE wildcards so that `search` is a plain substring. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The search term's condition, bound to the placeholder `like`. Raw: drizzle's like() has no ESCAPE,
 * and the body is a blob that LIKE must read as text.
 */
export const searchCondition = searchConditionOn(events.raw);

/** {@link searchCondition} over another column holding the body (a subquery's). */
export function searchConditionOn(raw: SQLiteColumn | SQL.Aliased): SQL {
  return sql`CAST(${raw} AS TEXT) LIKE ${sql.placeholder('like')} ESCAPE '\\'`;
}

/** The filters of a query with a search term, for the search index (see search.ts). */
export interface SearchFilter extends EventFilter {
  /** The LIKE pattern of the term (escaped, %term%), also in `params.like`. */
  like: string;
  /** The term itself. */
  term: string;
  /** Lowest received_at a row can have to pass (max of cut-off and since). */
  fromMs: number;
  /** received_at must be below this (until), or null. */
  untilMs: number | null;
}

/** {@link eventFilter} with the search term of `query`. */
export function searchFilter(query: EventQuery & { search: string }, cutoffMs: number): SearchFilter {
  const filter = eventFilter(query, cutoffMs);
  const like = likePattern(query.search);
  return {
    // Forwarded, not spread: spreading would build the conditions on every call (see eventFilter).
    get where() {
      return filter.where;
    },
    shape: filter.shape,
    params: { ...filter.params, like },
    like,
    term: query.search,
    fromMs: Math.max(cutoffMs, query.sinceMs ?? cutoffMs),
    untilMs: query.untilMs ?? null,
  };
}
