import { sql } from 'drizzle-orm';
import {
  DELETE_REPORT_MAX_IDS,
  type DeleteReport,
  type EventDeleter,
  type EventReader,
  type EventSelection,
  type Keyset,
} from '../types.js';
import type { PgContext, PgTx } from './context.js';
import { removeEvents, type RemovedEvent } from './removal.js';
import { events } from './schema.js';

// The deletes a person asks for (one event, a selection, all), in short steps: each step is a
// transaction of its own that takes the ingest lock first, so it is ordered with the group commits
// around it (a delete asked after an insert resolved removes it) and webhooks commit between steps. A
// selection is walked newest first from where the last step stopped, so events arriving while a large
// delete runs are newer than the walk and kept: the delete removes what matched when it started.
// Counts and traffic follow through the statement triggers, entity rows and attempts through
// removal.ts, search through the rows themselves (the trigram index is on the events).

/** A newest-first page read of events (events.ts's `ListPage`: the same shape as `listEvents`). */
export type ListPage = EventReader['listEvents'];

/** Events removed per step at most: one short transaction under the ingest lock. */
export const DELETE_STEP_EVENTS = 500;

/** Takes the ingest lock of the store in `tx` (first in every transaction that removes events). */
export async function lockIngest(ctx: Pick<PgContext, 'locks'>, tx: PgTx): Promise<void> {
  const [k0, k1] = ctx.locks.ingest;
  // Raw: advisory locks have no drizzle word.
  await tx.db.execute(sql`SELECT pg_advisory_xact_lock(${k0}::int4, ${k1}::int4)`);
}

/** The rows of `pairs` as a query of (id, received_at) (raw: jsonb_to_recordset). */
function chosen(pairs: readonly { id: string; receivedAtMs: number }[]) {
  const rows = pairs.map((p) => ({ id: p.id, received_at: p.receivedAtMs }));
  return sql`SELECT id, received_at FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS c(id text, received_at bigint)`;
}

/**
 * Creates `deleteEvents`: short steps, each a transaction of its own that takes the ingest lock
 * (`ctx.locks.ingest`) first, so a delete is ordered with the group commits.
 */
export function createDeletes(ctx: PgContext, listPage: ListPage): EventDeleter {
  /** One step: removes what `victims` selects under the ingest lock, with its entities settled. */
  const step = (victims: ReturnType<typeof chosen>): Promise<RemovedEvent[]> =>
    ctx.transaction(async (tx) => {
      await lockIngest(ctx, tx);
      return removeEvents(tx.db, victims, true);
    });

  async function* steps(selection: EventSelection, cutoffMs: number): AsyncGenerator<RemovedEvent[]> {
    if (selection.kind === 'one') {
      yield await step(
        sql`SELECT id, received_at FROM ${events} WHERE id = ${selection.id} AND received_at >= ${cutoffMs}`,
      );
      return;
    }
    let after: Keyset | null = null;
    if (selection.kind === 'all') {
      // Every retained event: walked by keys only inside each step (no bodies read), newest first.
      for (;;) {
        const from: Keyset | null = after;
        const keyset = from
          ? sql` AND (received_at, id) < (${from.atMs}::int8, ${from.id}::text COLLATE "C")`
          : sql``;
        const removed = await step(
          sql`SELECT id, received_at FROM ${events} WHERE received_at >= ${cutoffMs}${keyset}
              ORDER BY received_at DESC, id DESC LIMIT ${DELETE_STEP_EVENTS}`,
        );
        if (removed.length > 0) yield removed;
        // removeEvents answers oldest first: the walk goes on below the oldest removed.
        const oldest = removed[0];
        if (removed.length < DELETE_STEP_EVENTS || !oldest) return;
        after = { atMs: oldest.receivedAtMs, id: oldest.id };
      }
    }
    const { query } = selection;
    for (;;) {
      // The page is read before its step's transaction: a row deleted in between is simply not found.
      const page = await listPage(query, DELETE_STEP_EVENTS, after, cutoffMs);
      if (page.rows.length > 0) yield await step(chosen(page.rows));
      const last = page.rows.at(-1);
      if (!page.hasNextPage || !last) return;
      after = { atMs: last.receivedAtMs, id: last.id };
    }
  }

  return {
    async deleteEvents(selection, cutoffMs) {
      const eventIds: string[] = [];
      const entityIds = new Set<string>();
      let eventCount = 0;
      for await (const removed of steps(selection, cutoffMs)) {
        eventCount += removed.length;
        for (const row of removed) {
          if (eventIds.length <= DELETE_REPORT_MAX_IDS) eventIds.push(row.id);
          if (entityIds.size <= DELETE_REPORT_MAX_IDS) entityIds.add(row.entityId);
        }
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
