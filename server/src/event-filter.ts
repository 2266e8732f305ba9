import type { EventQuery, StoredEvent } from './store/types.js';

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
