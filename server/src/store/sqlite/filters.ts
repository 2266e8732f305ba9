import type { EventQuery } from '../types.js';
import type { SearchFilter } from './search.js';

/** Escapes LIKE wildcards so that `search` is a plain substring. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** WHERE clauses over `events` and their named parameters. */
export interface Where {
  sql: string;
  params: Record<string, string | number>;
}

/** The filters of `query` other than `search`, and the cut-off, as clauses over `events`. */
export function eventWhere(query: EventQuery, cutoffMs: number): Where {
  const clauses = ['received_at >= @cutoff'];
  const params: Record<string, string | number> = { cutoff: cutoffMs };
  if (query.action) {
    clauses.push('action = @action');
    params.action = query.action;
  }
  if (query.entityType) {
    clauses.push('entity_type = @entityType');
    params.entityType = query.entityType;
  }
  if (query.entityId) {
    clauses.push('entity_id = @entityId');
    params.entityId = query.entityId;
  }
  if (query.sinceMs != null) {
    clauses.push('received_at >= @since');
    params.since = query.sinceMs;
  }
  if (query.untilMs != null) {
    clauses.push('received_at < @until');
    params.until = query.untilMs;
  }
  return { sql: clauses.join(' AND '), params };
}

/** The filters of a query with a search term, for the search index (see search.ts). */
export function searchFilter(query: EventQuery & { search: string }, cutoffMs: number): SearchFilter {
  const where = eventWhere(query, cutoffMs);
  return {
    ...where,
    term: query.search,
    like: likePattern(query.search),
    fromMs: Math.max(cutoffMs, query.sinceMs ?? cutoffMs),
    untilMs: query.untilMs ?? null,
  };
}
