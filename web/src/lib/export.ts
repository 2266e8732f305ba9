import type { EventFilter } from '../gql/graphql.js';

/** The export formats the server offers (GET /events/export, docs/api.md). */
export type ExportFormat = 'ndjson' | 'json';

/**
 * The address of the server's export of the events a filter selects (oldest first, as a download). The
 * same origin as the dashboard, so the session cookie signs it in like every other read.
 */
export function exportHref(filter: EventFilter | null | undefined, format: ExportFormat = 'ndjson'): string {
  const params = new URLSearchParams({ format });
  for (const key of ['action', 'entityType', 'entityId', 'since', 'until', 'search'] as const) {
    const value = filter?.[key];
    if (typeof value === 'string' && value !== '') params.set(key, value);
  }
  return `/events/export?${params.toString()}`;
}
