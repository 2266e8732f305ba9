import { and, asc, count, desc, eq, gt, gte, max, sql } from 'drizzle-orm';
import type { EventQuery, EventReader, Keyset, Page, StoredEvent } from '../types.js';
import { boundedCount } from '../bounded-count.js';
import { countFromCounters, type CounterReads } from './counts.js';
import {
  eventFilter,
  keyset,
  keysetParams,
  searchCondition,
  searchFilter,
  type EventFilter,
} from './filters.js';
import { createShapeCache, prepareCount, prepareRows, type Orm } from './orm.js';
import { asFragments, eventColumns, toPage } from './rows.js';
import { eventSequence, events } from './schema.js';
import type { SearchReader } from './search.js';

/** The store's event reads. */
export type EventReads = Pick<
  EventReader,
  | 'getEvent'
  | 'listEvents'
  | 'listEventsOldestFirst'
  | 'countEvents'
  | 'countEventsAtMost'
  | 'entityEvents'
  | 'entityBounds'
  | 'lastReceivedAtMs'
  | 'eventsAfterSequence'
  | 'sequenceBounds'
>;

/** The newest-first page query of a filter's shape, with or without a keyset. */
function listStatement(orm: Orm, filter: EventFilter, after: boolean) {
  const query = orm
    .select(eventColumns)
    .from(events)
    .where(and(filter.where, after ? keyset(events.receivedAt, events.id, '<') : undefined))
    .orderBy(desc(events.receivedAt), desc(events.id))
    .limit(sql.placeholder('limit'));
  return prepareRows(orm, query, eventColumns);
}

/**
 * The oldest-first page query of a filter's shape (the export's walk). A search term is confirmed by LIKE
 * on each row the other filters pass: the walk reads every such row once anyway, so the index would only
 * add work.
 */
function ascendingStatement(orm: Orm, filter: EventFilter, search: boolean, after: boolean) {
  const query = orm
    .select(eventColumns)
    .from(events)
    .where(
      and(
        filter.where,
        search ? searchCondition : undefined,
        after ? keyset(events.receivedAt, events.id, '>') : undefined,
      ),
    )
    .orderBy(asc(events.receivedAt), asc(events.id))
    .limit(sql.placeholder('limit'));
  return prepareRows(orm, query, eventColumns);
}

function countStatement(orm: Orm, filter: EventFilter) {
  return prepareCount(orm, orm.select({ n: count() }).from(events).where(filter.where));
}

/** The count of a filter's rows up to the placeholder `limit`: it reads no more rows than that. */
function countUpToStatement(orm: Orm, filter: EventFilter) {
  const rows = orm
    .select({ one: sql`1`.as('one') })
    .from(events)
    .where(filter.where)
    .limit(sql.placeholder('limit'))
    .as('rows');
  return prepareCount(orm, orm.select({ n: count() }).from(rows));
}

/** A count only the trigger-kept counters can answer: at most an action and an entity type. */
function countableFromCounters(query: EventQuery): boolean {
  return (
    !query.entityId && query.sinceMs == null && query.untilMs == null && !query.search && query.drift == null
  );
}

/** A synchronous page of matching events: what a delete step walks inside its transaction. */
export type ListPage = (
  query: EventQuery,
  first: number,
  after: Keyset | null,
  cutoffMs: number,
) => Page<StoredEvent>;

/** Creates the page reads of `listEvents`, by the search index when the query has a search term. */
export function createListPage(orm: Orm, search: SearchReader): ListPage {
  const lists = createShapeCache<ReturnType<typeof listStatement>>();
  return (query, first, after, cutoffMs) => {
    if (query.search) {
      const rows = search.list(searchFilter({ ...query, search: query.search }, cutoffMs), first, after);
      return toPage(rows, first);
    }
    const filter = eventFilter(query, cutoffMs);
    const statement = lists.get(`${filter.shape}|${after ? 'after' : ''}`, () =>
      listStatement(orm, filter, after !== null),
    );
    return toPage(statement.all({ ...filter.params, ...keysetParams(after), limit: first + 1 }), first);
  };
}

/** The event lists and counts, by the search index when the query has a search term. */
function createEventLists(
  orm: Orm,
  counters: CounterReads,
  search: SearchReader,
  listPage: ListPage,
): Pick<EventReads, 'listEvents' | 'listEventsOldestFirst' | 'countEvents' | 'countEventsAtMost'> {
  const ascending = createShapeCache<ReturnType<typeof ascendingStatement>>();
  const counts = createShapeCache<ReturnType<typeof countStatement>>();
  const countsUpTo = createShapeCache<ReturnType<typeof countUpToStatement>>();
  return {
    async listEvents(query, first, after, cutoffMs) {
      return listPage(query, first, after, cutoffMs);
    },
    async listEventsOldestFirst(query, first, after, cutoffMs) {
      const filter = query.search
        ? searchFilter({ ...query, search: query.search }, cutoffMs)
        : eventFilter(query, cutoffMs);
      const search = Boolean(query.search);
      const statement = ascending.get(
        `${filter.shape}|${search ? 'search' : ''}|${after ? 'after' : ''}`,
        () => ascendingStatement(orm, filter, search, after !== null),
      );
      return toPage(statement.all({ ...filter.params, ...keysetParams(after), limit: first + 1 }), first);
    },
    async countEvents(query, cutoffMs) {
      if (countableFromCounters(query)) return countFromCounters(counters, query, cutoffMs);
      if (query.search) return search.count(searchFilter({ ...query, search: query.search }, cutoffMs));
      const filter = eventFilter(query, cutoffMs);
      const statement = counts.get(filter.shape, () => countStatement(orm, filter));
      return statement(filter.params);
    },
    async countEventsAtMost(query, atMost, cutoffMs) {
      if (countableFromCounters(query)) {
        return { value: countFromCounters(counters, query, cutoffMs), exact: true };
      }
      if (query.search) {
        return search.countAtMost(searchFilter({ ...query, search: query.search }, cutoffMs), atMost);
      }
      const filter = eventFilter(query, cutoffMs);
      const statement = countsUpTo.get(filter.shape, () => countUpToStatement(orm, filter));
      return boundedCount(statement({ ...filter.params, limit: atMost + 1 }), atMost);
    },
  };
}

/** An entity's events in arrival order, after a position or from the first (many rows: the fold's). */
function entityEventsStatement(orm: Orm, after: boolean) {
  const query = orm
    .select(eventColumns)
    .from(events)
    .where(
      and(
        eq(events.entityId, sql.placeholder('entityId')),
        gte(events.receivedAt, sql.placeholder('cutoff')),
        after ? keyset(events.receivedAt, events.id, '>') : undefined,
      ),
    )
    .orderBy(asc(events.receivedAt), asc(events.id));
  return prepareRows(orm, query, eventColumns);
}

/** One end of an entity's events: the first in arrival order (asc) or the last (desc). */
function entityEndStatement(orm: Orm, order: typeof asc) {
  const selection = { id: events.id };
  const query = orm
    .select(selection)
    .from(events)
    .where(
      and(
        eq(events.entityId, sql.placeholder('entityId')),
        gte(events.receivedAt, sql.placeholder('cutoff')),
      ),
    )
    // No LIMIT: `get` reads one row and stops, and drizzle binds a LIMIT as a parameter, which SQLite
    // plans slower than none or a literal for this seek.
    .orderBy(order(events.receivedAt), order(events.id));
  return prepareRows(orm, query, selection);
}

/** An entity's events: what the fold reads. */
function createEntityEventReads(orm: Orm): Pick<EventReads, 'entityEvents' | 'entityBounds'> {
  const fromFirst = entityEventsStatement(orm, false);
  const fromPosition = entityEventsStatement(orm, true);
  const first = entityEndStatement(orm, asc);
  const last = entityEndStatement(orm, desc);
  return {
    async entityEvents(entityId, cutoffMs, after: Keyset | null = null) {
      const params = { entityId, cutoff: cutoffMs, ...keysetParams(after) };
      return after ? fromPosition.all(params) : fromFirst.all(params);
    },
    async entityBounds(entityId, cutoffMs) {
      const params = { entityId, cutoff: cutoffMs };
      return { firstId: first.get(params)?.id ?? null, lastId: last.get(params)?.id ?? null };
    },
  };
}

/**
 * The reads in commit order. Both walk `events_sequence_idx` from a position; rows before the cut-off that
 * the purge has not deleted yet are skipped on the way (few: the purge runs every interval).
 */
function createSequenceReads(orm: Orm): Pick<EventReads, 'eventsAfterSequence' | 'sequenceBounds'> {
  // INDEXED BY (raw: drizzle has no word for it): with a cut-off to test, the planner may otherwise take
  // the (received_at, id) index and sort every retained row to find the first few by sequence.
  const bySequence = sql`${events} INDEXED BY ${sql.identifier('events_sequence_idx')}`;
  const after = prepareRows(
    orm,
    orm
      .select(asFragments(eventColumns))
      .from(bySequence)
      .where(
        and(gt(events.sequence, sql.placeholder('after')), gte(events.receivedAt, sql.placeholder('cutoff'))),
      )
      .orderBy(asc(events.sequence))
      .limit(sql.placeholder('limit')),
    eventColumns,
  );
  const firstRetained = prepareRows(
    orm,
    orm
      .select(asFragments({ sequence: events.sequence }))
      .from(bySequence)
      .where(gte(events.receivedAt, sql.placeholder('cutoff')))
      .orderBy(asc(events.sequence))
      .limit(1),
    { sequence: events.sequence },
  );
  const last = orm
    .select({ last: eventSequence.last })
    .from(eventSequence)
    .where(eq(eventSequence.id, 1))
    .prepare();
  return {
    async eventsAfterSequence(position, limit, cutoffMs) {
      // Placeholders skip the column's encoder: bound as the INTEGER the column holds.
      return after.all({ after: Number(position), cutoff: cutoffMs, limit });
    },
    async sequenceBounds(cutoffMs) {
      return {
        firstRetained: firstRetained.get({ cutoff: cutoffMs })?.sequence ?? null,
        last: String(last.get()?.last ?? 0),
      };
    },
  };
}

/** Creates the event reads over the query builder, the counters and the search reader. */
export function createEventReads(
  orm: Orm,
  counters: CounterReads,
  search: SearchReader,
  listPage: ListPage = createListPage(orm, search),
): EventReads {
  const byId = prepareRows(
    orm,
    orm
      .select(eventColumns)
      .from(events)
      .where(and(eq(events.id, sql.placeholder('id')), gte(events.receivedAt, sql.placeholder('cutoff')))),
    eventColumns,
  );
  const newest = orm
    .select({ at: max(events.receivedAt) })
    .from(events)
    .prepare();
  return {
    async getEvent(id, cutoffMs) {
      return byId.get({ id, cutoff: cutoffMs }) ?? null;
    },
    ...createEventLists(orm, counters, search, listPage),
    ...createEntityEventReads(orm),
    ...createSequenceReads(orm),
    async lastReceivedAtMs() {
      return newest.get()?.at ?? null;
    },
  };
}
