import type { EventAction, EventFilter } from '../../gql/graphql.js';

/** The stream's filters as a person edits them ('' = not filtered). */
export interface StreamFilters {
  action: EventAction | '';
  entityType: string;
  entityId: string;
  search: string;
  /** Only events with schema drift warnings (absent: any). */
  drift?: boolean;
  /** Received at or after this instant (RFC 3339, as in the URL). */
  since: string;
  /** Received strictly before this instant. */
  until: string;
}

/** No filter at all. */
export const EMPTY_FILTERS: StreamFilters = {
  action: '',
  entityType: '',
  entityId: '',
  search: '',
  since: '',
  until: '',
};

/** The actions an event can have, in the order the filter offers them. */
export const ACTIONS: readonly EventAction[] = ['create', 'update', 'delete'];
/** Query-string keys, short so a shared link stays readable. */
const KEYS = {
  action: 'action',
  entityType: 'type',
  entityId: 'entity',
  search: 'q',
  drift: 'drift',
  since: 'since',
  until: 'until',
} as const;
/** The text filters' keys in the URL's order. */
const FIELDS = ['action', 'entityType', 'entityId', 'search', 'since', 'until'] as const;

const isAction = (value: string): value is EventAction => (ACTIONS as readonly string[]).includes(value);

/** Reads the filters from a query string such as `?type=task&q=foo`; unknown actions are ignored. */
export function parseFilters(search: string): StreamFilters {
  const params = new URLSearchParams(search);
  const action = params.get(KEYS.action) ?? '';
  return {
    action: isAction(action) ? action : '',
    entityType: params.get(KEYS.entityType) ?? '',
    entityId: params.get(KEYS.entityId) ?? '',
    search: params.get(KEYS.search) ?? '',
    ...(params.get(KEYS.drift) === '1' ? { drift: true } : {}),
    since: params.get(KEYS.since) ?? '',
    until: params.get(KEYS.until) ?? '',
  };
}

/** An instant of the since/until filters as the API's DateTime; null when blank or not a date. */
export function filterInstant(text: string): string | null {
  const ms = Date.parse(text.trim());
  return text.trim() === '' || Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Writes the filters as a query string (`''` when none is set), in a stable key order. */
export function filtersToSearch(filters: StreamFilters): string {
  const params = new URLSearchParams();
  for (const key of FIELDS) {
    const value = filters[key].trim();
    if (value !== '') params.set(KEYS[key], value);
  }
  if (filters.drift === true) params.set(KEYS.drift, '1');
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The GraphQL filter for the stream's query and subscription; null when nothing is filtered. */
export function toEventFilter(filters: StreamFilters): EventFilter | null {
  const filter: EventFilter = {};
  if (filters.action !== '') filter.action = filters.action;
  if (filters.entityType.trim() !== '') filter.entityType = filters.entityType.trim();
  if (filters.entityId.trim() !== '') filter.entityId = filters.entityId.trim();
  if (filters.search.trim() !== '') filter.search = filters.search.trim();
  if (filters.drift === true) filter.drift = true;
  const since = filterInstant(filters.since);
  const until = filterInstant(filters.until);
  if (since !== null) filter.since = since;
  if (until !== null) filter.until = until;
  return Object.keys(filter).length === 0 ? null : filter;
}

/** The query-string key naming the event selected in the stream (the split view's detail). */
const SELECTION_KEY = 'sel';

/** The selected event's id in a stream query string, or null when none is selected. */
export function parseSelection(search: string): string | null {
  const id = new URLSearchParams(search).get(SELECTION_KEY);
  return id === null || id === '' ? null : id;
}

/** The stream's query string for these filters with `id` selected (or none): filters first, so a shared link reads well. */
export function selectionSearch(filters: StreamFilters, id: string | null): string {
  if (id === null) return filtersToSearch(filters);
  const params = new URLSearchParams(filtersToSearch(filters));
  params.set(SELECTION_KEY, id);
  return `?${params.toString()}`;
}
