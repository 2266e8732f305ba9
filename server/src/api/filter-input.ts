import { dateTimeToMs } from './datetime.js';
import type { Action } from '../domain/types.js';
import type { EventQuery, StoredEvent } from '../store/types.js';

/** A filter as GraphQL's EventFilter and the REST query string give it: dates as RFC 3339 text. */
export interface EventFilterInput {
  action?: Action | null;
  entityType?: string | null;
  entityId?: string | null;
  since?: string | null;
  until?: string | null;
  search?: string | null;
}

/** Turns an API filter into the store's query (dates to epoch ms); a bad date throws an InputError naming
 * `${argumentPrefix}since` or `${argumentPrefix}until`. */
export function toEventQuery(filter: EventFilterInput | null | undefined, argumentPrefix = ''): EventQuery {
  if (!filter) return {};
  return {
    action: filter.action ?? null,
    entityType: filter.entityType ?? null,
    entityId: filter.entityId ?? null,
    sinceMs: filter.since ? dateTimeToMs(filter.since, `${argumentPrefix}since`) : null,
    untilMs: filter.until ? dateTimeToMs(filter.until, `${argumentPrefix}until`) : null,
    search: filter.search ?? null,
  };
}

// ASCII-only case folding, the same as SQLite's LIKE, so live and stored results agree.
const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Whether an event matches a filter: the in-memory twin of the store's WHERE clause, for live subscribers. */
export function matchesEventQuery(event: StoredEvent, query: EventQuery): boolean {
  if (query.action && event.action !== query.action) return false;
  if (query.entityType && event.entityType !== query.entityType) return false;
  if (query.entityId && event.entityId !== query.entityId) return false;
  if (query.sinceMs != null && event.receivedAtMs < query.sinceMs) return false;
  if (query.untilMs != null && event.receivedAtMs >= query.untilMs) return false;
  if (query.search && !foldAscii(event.raw.toString('utf8')).includes(foldAscii(query.search))) return false;
  return true;
}
