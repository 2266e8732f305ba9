import { dateTimeToMs } from './datetime.js';
import { ErrorCode, InputError } from './errors.js';
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

/**
 * The longest search term, in characters (Unicode code points): room for ids, e-mail addresses, URLs and
 * JSON fragments. Longer terms were never useful and were costly: SQLite refuses a LIKE pattern past
 * 50,000 bytes ("pattern too complex") and a trigram search or the live matcher's scan grows with the term.
 */
export const MAX_SEARCH_CHARS = 256;

/** Refuses a term over {@link MAX_SEARCH_CHARS} without reading more of it than it must. */
function checkSearch(search: string | null | undefined, argument: string): void {
  if (search === null || search === undefined || search.length <= MAX_SEARCH_CHARS) return;
  // A code point is at most two UTF-16 units: past twice the bound, counting them is not needed.
  if (search.length <= 2 * MAX_SEARCH_CHARS && [...search].length <= MAX_SEARCH_CHARS) return;
  throw new InputError(
    argument,
    `is longer than ${MAX_SEARCH_CHARS} characters, the most a search term may have`,
    ErrorCode.SEARCH_TOO_LONG,
  );
}

/** Turns an API filter into the store's query (dates to epoch ms): the one place REST, GraphQL queries and
 * subscriptions check a filter. A search term over {@link MAX_SEARCH_CHARS} throws an InputError with code
 * SEARCH_TOO_LONG naming `${argumentPrefix}search`, before anything else reads it; a bad date one naming
 * `${argumentPrefix}since` or `${argumentPrefix}until`. */
export function toEventQuery(filter: EventFilterInput | null | undefined, argumentPrefix = ''): EventQuery {
  if (!filter) return {};
  checkSearch(filter.search, `${argumentPrefix}search`);
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
