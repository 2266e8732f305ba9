import { and, asc, count, desc, eq, gt, gte, max, min, sql } from 'drizzle-orm';
import type { EventQuery, EventReader, Keyset, Page, StoredEvent } from '../types.js';
import type { PgContext } from './context.js';
import { countFromCounters, type CounterReads } from './counts.js';
import { eventConditions, keyset } from './filters.js';
import { boundedCount } from '../bounded-count.js';
import { eventColumns, toPage } from './rows.js';
import { events, streamHead } from './schema.js';

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

/** A page of matching events, newest first: `listEvents`, and what a delete walks. */
export type ListPage = (
  query: EventQuery,
  first: number,
  after: Keyset | null,
  cutoffMs: number,
) => Promise<Page<StoredEvent>>;

/** Creates the newest-first page read over (received_at, id) and the filters' indexes. */
export function createListPage(ctx: PgContext): ListPage {
  return async (query, first, after, cutoffMs) => {
    const rows = await ctx.db
      .select(eventColumns)
      .from(events)
      .where(
        and(
          eventConditions(query, cutoffMs),
          after ? keyset(events.receivedAt, events.id, '<', after) : undefined,
        ),
      )
      .orderBy(desc(events.receivedAt), desc(events.id))
      .limit(first + 1);
    return toPage(rows, first);
  };
}

/** A count only the kept counters can answer: at most an action and an entity type. */
function countableFromCounters(query: EventQuery): boolean {
  return (
    !query.entityId && query.sinceMs == null && query.untilMs == null && !query.search && query.drift == null
  );
}

/** Creates the event reads over the pool and the counters. */
export function createEventReads(ctx: PgContext, counters: CounterReads, listPage: ListPage): EventReads {
  const { db } = ctx;
  // Prepared: every tailer reads it on each wake-up, and unprepared (with parameters) it costs the
  // driver a round trip more to describe it first. Through a transaction pooler the pool's `prepare:
  // false` wins and it runs unprepared.
  const afterSequence = db
    .select(eventColumns)
    .from(events)
    .where(
      and(gt(events.sequence, sql.placeholder('after')), gte(events.receivedAt, sql.placeholder('cutoff'))),
    )
    .orderBy(asc(events.sequence))
    .limit(sql.placeholder('limit'))
    .prepare('hs_events_after_sequence');
  return {
    async getEvent(id, cutoffMs) {
      const [row] = await db
        .select(eventColumns)
        .from(events)
        .where(and(eq(events.id, id), gte(events.receivedAt, cutoffMs)))
        .limit(1);
      return row ?? null;
    },
    listEvents: listPage,
    async listEventsOldestFirst(query, first, after, cutoffMs) {
      const rows = await db
        .select(eventColumns)
        .from(events)
        .where(
          and(
            eventConditions(query, cutoffMs),
            after ? keyset(events.receivedAt, events.id, '>', after) : undefined,
          ),
        )
        .orderBy(asc(events.receivedAt), asc(events.id))
        .limit(first + 1);
      return toPage(rows, first);
    },
    async countEvents(query, cutoffMs) {
      if (countableFromCounters(query)) return countFromCounters(counters, query, cutoffMs);
      const [row] = await db.select({ n: count() }).from(events).where(eventConditions(query, cutoffMs));
      return row?.n ?? 0;
    },
    async countEventsAtMost(query, atMost, cutoffMs) {
      if (countableFromCounters(query)) {
        return { value: await countFromCounters(counters, query, cutoffMs), exact: true };
      }
      // Reads no more than atMost + 1 matching rows: by the trigram index for a rare term, newest
      // first by (received_at, id) for a common one, as the planner chooses.
      const matching = db
        .select({ one: sql`1`.as('one') })
        .from(events)
        .where(eventConditions(query, cutoffMs))
        .limit(atMost + 1)
        .as('matching');
      const [row] = await db.select({ n: count() }).from(matching);
      return boundedCount(row?.n ?? 0, atMost);
    },
    async entityEvents(entityId, cutoffMs, after: Keyset | null = null) {
      return db
        .select(eventColumns)
        .from(events)
        .where(
          and(
            eq(events.entityId, entityId),
            gte(events.receivedAt, cutoffMs),
            after ? keyset(events.receivedAt, events.id, '>', after) : undefined,
          ),
        )
        .orderBy(asc(events.receivedAt), asc(events.id));
    },
    async entityBounds(entityId, cutoffMs) {
      const end = (order: typeof asc) =>
        db
          .select({ id: events.id })
          .from(events)
          .where(and(eq(events.entityId, entityId), gte(events.receivedAt, cutoffMs)))
          .orderBy(order(events.receivedAt), order(events.id))
          .limit(1);
      // Both seeks in one round trip (postgres.js pipelines queries issued together).
      const [first, last] = await Promise.all([end(asc), end(desc)]);
      return { firstId: first[0]?.id ?? null, lastId: last[0]?.id ?? null };
    },
    async lastReceivedAtMs() {
      const [row] = await db.select({ at: max(events.receivedAt) }).from(events);
      return row?.at == null ? null : Number(row.at);
    },
    async eventsAfterSequence(after, limit, cutoffMs) {
      return afterSequence.execute({ after, cutoff: cutoffMs, limit });
    },
    async sequenceBounds(cutoffMs) {
      const [[first], [head]] = await Promise.all([
        db
          .select({ sequence: min(events.sequence) })
          .from(events)
          .where(gte(events.receivedAt, cutoffMs)),
        db.select({ last: sql<string>`${streamHead.lastSequence}::text` }).from(streamHead),
      ]);
      return {
        firstRetained: first?.sequence == null ? null : String(first.sequence),
        last: head?.last ?? '0',
      };
    },
  };
}
