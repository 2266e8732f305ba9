import { sql, type SQL } from 'drizzle-orm';
import type { PgQueryable } from './partitions.js';
import { deliveries, entities, eventDeliveryIds, events } from './schema.js';

// Removing events, the one way every removal path does it (deletes, eviction, the purge of the day
// that straddles the cut-off): one statement that deletes the chosen rows through the parent `events`
// (so the statement triggers keep event_counts and traffic_splits exact), their delivery attempts (no
// foreign key on the partitioned table), their dedupe rows (a deleted event's delivery id may be
// delivered again) and, when asked, brings the entity rows in line with the events left.
// Raw: data-modifying CTEs and LATERAL have no drizzle words.

/** One removed event. */
export interface RemovedEvent {
  id: string;
  receivedAtMs: number;
  entityId: string;
}

/**
 * Removes the events that `victims` selects (a query of `id, received_at`), in one statement. With
 * `settleEntities`, each entity that lost an event takes the type and time of its latest event left,
 * or goes when none is left. Answers the removed events.
 */
export async function removeEvents(
  db: PgQueryable,
  victims: SQL,
  settleEntities: boolean,
): Promise<RemovedEvent[]> {
  return toRemovedEvents(await db.execute<RemovedRow>(removeEventsStatement(victims, settleEntities)));
}

/** A row of {@link removeEventsStatement}'s answer. */
export type RemovedRow = {
  id: string;
  received_at: string;
  entity_id: string;
};

/** The statement of {@link removeEvents}, to send in a pipeline (answers {@link RemovedRow}s, oldest first). */
export function removeEventsStatement(victims: SQL, settleEntities: boolean): SQL {
  const settle = settleEntities
    ? sql`, touched AS (
        SELECT DISTINCT entity_id AS id FROM gone
      ), latest AS (
        SELECT t.id, l.entity_type, l.received_at FROM touched t
        LEFT JOIN LATERAL (
          SELECT e.entity_type, e.received_at FROM ${events} e
          WHERE e.entity_id = t.id AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.id = e.id AND g.received_at = e.received_at)
          ORDER BY e.received_at DESC, e.id DESC LIMIT 1
        ) l ON true
      ), forgotten AS (
        DELETE FROM ${entities} WHERE id IN (SELECT id FROM latest WHERE received_at IS NULL) RETURNING 1
      ), settled AS (
        UPDATE ${entities} en SET entity_type = l.entity_type, last_received_at = l.received_at
        FROM latest l
        WHERE en.id = l.id AND l.received_at IS NOT NULL
          AND (en.entity_type, en.last_received_at) IS DISTINCT FROM (l.entity_type, l.received_at)
        RETURNING 1
      )`
    : sql``;
  return sql`
    WITH victims AS (${victims}), gone AS (
      DELETE FROM ${events} e USING victims v
      WHERE e.id = v.id AND e.received_at = v.received_at
      RETURNING e.id, e.received_at, e.entity_id, e.delivery_id
    ), attempts AS (
      DELETE FROM ${deliveries} WHERE event_id IN (SELECT id FROM gone) RETURNING 1
    ), dedupe AS (
      DELETE FROM ${eventDeliveryIds} d USING gone g
      WHERE d.delivery_id = g.delivery_id AND d.event_id = g.id
      RETURNING 1
    )${settle}
    SELECT id, received_at, entity_id FROM gone ORDER BY received_at, id`;
}

/** The removed events of {@link removeEventsStatement}'s rows. */
export function toRemovedEvents(rows: readonly RemovedRow[]): RemovedEvent[] {
  return rows.map((row) => ({
    id: row.id,
    receivedAtMs: Number(row.received_at),
    entityId: row.entity_id,
  }));
}
