import { dateTimeToMs } from './datetime.js';
import type { Action } from '../domain/types.js';
import type { EventQuery } from '../store/types.js';

/** A filter as GraphQL's EventFilter and the REST query string give it: dates as RFC 3339 text. */
export interface EventFilterInput {
  action?: Action | null;
  entityType?: string | null;
  entityId?: string | null;
  since?: string | null;
  until?: string | null;
  search?: string | null;
  drift?: boolean | null;
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
    drift: filter.drift ?? null,
  };
}

/** Whether an event matches a filter: defined once, in the domain (live subscribers use it directly). */
export { matchesEventQuery } from '../domain/event-query.js';
