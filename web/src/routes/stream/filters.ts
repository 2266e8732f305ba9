import type { EventAction, EventFilter } from '../../gql/graphql.js';

/** The stream's filters as a person edits them ('' = not filtered). */
export interface StreamFilters {
  action: EventAction | '';
  entityType: string;
  entityId: string;
  search: string;
  /** Only events with schema drift warnings (absent: any). */
  drift?: boolean;
}

/** No filter at all. */
export const EMPTY_FILTERS: StreamFilters = { action: '', entityType: '', entityId: '', search: '' };

/** The actions an event can have, in the order the filter offers them. */
export const ACTIONS: readonly EventAction[] = ['create', 'update', 'delete'];
/** Query-string keys, short so a shared link stays readable. */
const KEYS = {
  action: 'action',
  entityType: 'type',
  entityId: 'entity',
  search: 'q',
  drift: 'drift',
} as const;

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
  };
}

/** Writes the filters as a query string (`''` when none is set), in a stable key order. */
export function filtersToSearch(filters: StreamFilters): string {
  const params = new URLSearchParams();
  for (const key of ['action', 'entityType', 'entityId', 'search'] as const) {
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
