import type { Store } from '../types.js';
import { countFromCounters } from './counts.js';
import { eventWhere, searchFilter } from './filters.js';
import { toEvent, toPage, type EventRow } from './rows.js';
import type { SearchReader } from './search.js';
import type { StatementCache } from './statements.js';

/** The store's event reads. */
export type EventReads = Pick<
  Store,
  'getEvent' | 'listEvents' | 'countEvents' | 'entityEvents' | 'entityBounds' | 'lastReceivedAtMs'
>;

type Prepare = StatementCache['prepare'];

/** The event lists and counts, by the search index when the query has a search term. */
function createEventLists(
  prepare: Prepare,
  search: SearchReader,
): Pick<EventReads, 'listEvents' | 'countEvents'> {
  return {
    async listEvents(query, first, after, cutoffMs) {
      if (query.search) {
        const rows = search.list<EventRow>(
          searchFilter({ ...query, search: query.search }, cutoffMs),
          first,
          after,
        );
        return toPage(rows, first, toEvent);
      }
      const where = eventWhere(query, cutoffMs);
      const keyset = after ? ' AND (received_at, id) < (@afterAt, @afterId)' : '';
      const params = after ? { ...where.params, afterAt: after.atMs, afterId: after.id } : where.params;
      const rows = prepare(
        `SELECT * FROM events WHERE ${where.sql}${keyset} ORDER BY received_at DESC, id DESC LIMIT @limit`,
      ).all({ ...params, limit: first + 1 }) as EventRow[];
      return toPage(rows, first, toEvent);
    },
    async countEvents(query, cutoffMs) {
      if (!query.entityId && query.sinceMs == null && query.untilMs == null && !query.search) {
        return countFromCounters(prepare, query, cutoffMs);
      }
      if (query.search) return search.count(searchFilter({ ...query, search: query.search }, cutoffMs));
      const where = eventWhere(query, cutoffMs);
      return (
        prepare(`SELECT count(*) AS n FROM events WHERE ${where.sql}`).get(where.params) as { n: number }
      ).n;
    },
  };
}

/** An entity's events: what the fold reads. */
function createEntityEventReads(prepare: Prepare): Pick<EventReads, 'entityEvents' | 'entityBounds'> {
  return {
    async entityEvents(entityId, cutoffMs, after = null) {
      const rows = (
        after
          ? prepare(
              'SELECT * FROM events WHERE entity_id = ? AND received_at >= ? AND (received_at, id) > (?, ?) ORDER BY received_at, id',
            ).all(entityId, cutoffMs, after.atMs, after.id)
          : prepare(
              'SELECT * FROM events WHERE entity_id = ? AND received_at >= ? ORDER BY received_at, id',
            ).all(entityId, cutoffMs)
      ) as EventRow[];
      return rows.map(toEvent);
    },
    async entityBounds(entityId, cutoffMs) {
      const end = (direction: 'ASC' | 'DESC') =>
        (
          prepare(
            `SELECT id FROM events WHERE entity_id = ? AND received_at >= ? ORDER BY received_at ${direction}, id ${direction} LIMIT 1`,
          ).get(entityId, cutoffMs) as { id: string } | undefined
        )?.id ?? null;
      return { firstId: end('ASC'), lastId: end('DESC') };
    },
  };
}

/** Creates the event reads over the statement cache and the search reader. */
export function createEventReads(prepare: Prepare, search: SearchReader): EventReads {
  return {
    async getEvent(id, cutoffMs) {
      const row = prepare('SELECT * FROM events WHERE id = ? AND received_at >= ?').get(id, cutoffMs) as
        EventRow | undefined;
      return row ? toEvent(row) : null;
    },
    ...createEventLists(prepare, search),
    ...createEntityEventReads(prepare),
    async lastReceivedAtMs() {
      return (prepare('SELECT max(received_at) AS at FROM events').get() as { at: number | null }).at;
    },
  };
}
