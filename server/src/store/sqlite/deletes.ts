import { performance } from 'node:perf_hooks';
import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import {
  DELETE_REPORT_MAX_IDS,
  type DeleteReport,
  type EventDeleter,
  type EventSelection,
  type Keyset,
  type Page,
  type StoredEvent,
} from '../types.js';
import type { ListPage } from './events.js';
import { PURGE_BATCH_SIZE, PURGE_STEP_MAX_MS } from './maintenance.js';
import type { Orm } from './orm.js';
import { entities, events } from './schema.js';
import { clampSearchMark } from './search.js';
import type { Writer } from './writes.js';

// The deletes a person asks for (one event, a selection, all), run as steps of the commit queue: each
// step is a short piece of work inside a group commit, so it is ordered with the inserts around it and
// never holds the event loop for long (the purge's budget per step). A selection is walked newest first
// from where the last step stopped, so events that arrive while a large delete runs are newer than the
// walk and kept: the delete removes what matched when it started.
//
// What follows a deleted row: the per-(type, action) counters (the delete trigger), the search index
// (the mark is clamped, as the purge does; stale bucket entries are harmless, every candidate is
// confirmed against `events`), and the entity rows: an entity left without an event goes, one that lost
// its latest event takes the type and time of the latest left.

/** What one step removed, and where the next one starts. */
interface DeleteStep {
  ids: string[];
  entityIds: Set<string>;
  /** The position of the last row seen, for the next step (newest-first order). */
  after: Keyset | null;
  done: boolean;
}

/** The statements of the delete steps. */
function prepareDeletes(orm: Orm) {
  const latestLeft = orm
    .select({ entityType: events.entityType, receivedAt: events.receivedAt })
    .from(events)
    .where(eq(events.entityId, sql.placeholder('entityId')))
    .orderBy(desc(events.receivedAt), desc(events.id))
    .limit(1)
    .prepare();
  const removeEntity = orm
    .delete(entities)
    .where(eq(entities.id, sql.placeholder('id')))
    .prepare();
  const byId = orm
    .select({ id: events.id, entityId: events.entityId })
    .from(events)
    .where(and(eq(events.id, sql.placeholder('id')), gte(events.receivedAt, sql.placeholder('cutoff'))))
    .prepare();
  return {
    /** Deletes the rows of `ids` (a chunk of at most PURGE_BATCH_SIZE: one statement each). */
    removeEvents: (ids: string[]) => orm.delete(events).where(inArray(events.id, ids)).run().changes,
    /** Brings an entity row in line with the events it has left. */
    settleEntity(entityId: string) {
      const latest = latestLeft.get({ entityId });
      if (!latest) {
        removeEntity.run({ id: entityId });
        return;
      }
      orm
        .update(entities)
        .set({ entityType: latest.entityType, lastReceivedAt: latest.receivedAt })
        .where(eq(entities.id, entityId))
        .run();
    },
    one: (id: string, cutoffMs: number) => byId.get({ id, cutoff: cutoffMs }),
  };
}

/** The rows of one chunk of a selection, from `after` on (newest first). */
function chunkOf(
  listPage: ListPage,
  statements: ReturnType<typeof prepareDeletes>,
  selection: EventSelection,
  after: Keyset | null,
  cutoffMs: number,
): Page<Pick<StoredEvent, 'id' | 'entityId' | 'receivedAtMs'>> {
  if (selection.kind === 'one') {
    const row = statements.one(selection.id, cutoffMs);
    return { rows: row ? [{ ...row, receivedAtMs: 0 }] : [], hasNextPage: false };
  }
  const query = selection.kind === 'all' ? {} : selection.query;
  return listPage(query, PURGE_BATCH_SIZE, after, cutoffMs);
}

/** Creates `deleteEvents` over the writer's commit queue and the store's page reads. */
export function createDeletes(
  db: Parameters<typeof clampSearchMark>[0],
  orm: Orm,
  writer: Pick<Writer, 'runInCommit'>,
  listPage: ListPage,
): EventDeleter {
  const statements = prepareDeletes(orm);

  /** One step: chunks until the selection is walked or the time budget is spent (at least one chunk). */
  const step = (selection: EventSelection, after: Keyset | null, cutoffMs: number): DeleteStep => {
    const started = performance.now();
    const result: DeleteStep = { ids: [], entityIds: new Set(), after, done: false };
    for (;;) {
      const chunk = chunkOf(listPage, statements, selection, result.after, cutoffMs);
      const ids = chunk.rows.map((row) => row.id);
      if (ids.length > 0) statements.removeEvents(ids);
      for (const row of chunk.rows) {
        result.ids.push(row.id);
        result.entityIds.add(row.entityId);
      }
      const last = chunk.rows.at(-1);
      if (last) result.after = { atMs: last.receivedAtMs, id: last.id };
      if (!chunk.hasNextPage) {
        result.done = true;
        break;
      }
      if (performance.now() - started >= PURGE_STEP_MAX_MS) break;
    }
    for (const entityId of result.entityIds) statements.settleEntity(entityId);
    // Rowids at the top may be free again: keep every later row above the search mark (see search.ts).
    if (result.ids.length > 0) clampSearchMark(db);
    return result;
  };

  return {
    async deleteEvents(selection, cutoffMs) {
      const eventIds: string[] = [];
      const entityIds = new Set<string>();
      let eventCount = 0;
      let after: Keyset | null = null;
      for (;;) {
        const from = after;
        const done: DeleteStep = await writer.runInCommit(() => {
          const value = step(selection, from, cutoffMs);
          return { value, removedEvents: value.ids.length };
        });
        eventCount += done.ids.length;
        for (const id of done.ids) if (eventIds.length <= DELETE_REPORT_MAX_IDS) eventIds.push(id);
        for (const id of done.entityIds) if (entityIds.size <= DELETE_REPORT_MAX_IDS) entityIds.add(id);
        if (done.done) break;
        after = done.after;
      }
      const report: DeleteReport = {
        eventCount,
        eventIds: eventIds.length > DELETE_REPORT_MAX_IDS ? null : eventIds,
        entityIds: entityIds.size > DELETE_REPORT_MAX_IDS ? null : [...entityIds],
      };
      return report;
    },
  };
}
