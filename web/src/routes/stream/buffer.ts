import type { StreamRow_EventFragment } from '../../gql/graphql.js';

/** One row of the stream: an event and, when it came from a page, its pagination cursor. */
export interface StreamRow {
  event: StreamRow_EventFragment;
  /** null for rows that arrived live (subscriptions carry no cursor). */
  cursor: string | null;
}

/** Newest first: by time received, then by id (ids are time-sortable), both descending. */
export function compareNewestFirst(a: StreamRow, b: StreamRow): number {
  const byTime = Date.parse(b.event.receivedAt) - Date.parse(a.event.receivedAt);
  if (byTime !== 0) return byTime;
  return a.event.id < b.event.id ? 1 : a.event.id > b.event.id ? -1 : 0;
}

/**
 * Merges rows into a newest-first list, dropping duplicates (a row seen by both the page and the
 * subscription keeps its cursor), and keeps at most `maxRows`: the oldest ones go first.
 */
export function mergeRows(
  current: readonly StreamRow[],
  incoming: readonly StreamRow[],
  maxRows: number,
): { rows: StreamRow[]; trimmed: number } {
  if (incoming.length === 0 && current.length <= maxRows) return { rows: current.slice(), trimmed: 0 };
  const byId = new Map<string, StreamRow>();
  for (const row of current) byId.set(row.event.id, row);
  for (const row of incoming) {
    const known = byId.get(row.event.id);
    byId.set(
      row.event.id,
      known === undefined ? row : { event: row.event, cursor: known.cursor ?? row.cursor },
    );
  }
  const all = [...byId.values()].sort(compareNewestFirst);
  const trimmed = Math.max(0, all.length - maxRows);
  return { rows: trimmed > 0 ? all.slice(0, maxRows) : all, trimmed };
}

/** Drops rows received before `beforeIso` (a purge removed them from the server). */
export function dropReceivedBefore(rows: readonly StreamRow[], beforeIso: string): StreamRow[] {
  const cutoffMs = Date.parse(beforeIso);
  return rows.filter((row) => Date.parse(row.event.receivedAt) >= cutoffMs);
}

/** How to ask for the rows older than the last one: its cursor when it has one, else a time bound. */
export function olderPageArgs(rows: readonly StreamRow[]): { after: string | null; untilIso: string | null } {
  const last = rows[rows.length - 1];
  if (last === undefined) return { after: null, untilIso: null };
  if (last.cursor !== null) return { after: last.cursor, untilIso: null };
  // `until` is exclusive; one millisecond later includes rows that share the last one's instant,
  // and merging drops the ones already shown, so ties are never skipped.
  return { after: null, untilIso: new Date(Date.parse(last.event.receivedAt) + 1).toISOString() };
}

/** A one-line summary of a payload for the stream: `name: "x" · file_type: "jpeg" …`. */
export function summarizePayload(payload: unknown, maxChars = 160): string {
  let text: string;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(payload)) {
      if (key === 'id') continue;
      parts.push(`${key}: ${JSON.stringify(value) ?? 'undefined'}`);
      if (parts.join(' · ').length > maxChars) break;
    }
    text = parts.join(' · ');
  } else {
    text = JSON.stringify(payload) ?? '';
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
