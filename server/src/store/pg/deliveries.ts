import { and, asc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { MAX_DELIVERIES_PER_EVENT } from '../../domain/deliveries.js';
import type { EventReader, StoredDelivery } from '../types.js';
import type { PgContext } from './context.js';
import { plainDb } from './partitions.js';
import { deliveries, events } from './schema.js';

/** `text` with U+0000 (which PostgreSQL's text cannot hold: a target may answer binary) as U+FFFD. */
const storable = <T extends string | null>(text: T): T =>
  (text === null || !text.includes('\u0000') ? text : text.replaceAll('\u0000', '\ufffd')) as T;

/** A delivery attempt queued in a group commit, with the cut-off its event must be retained at. */
export interface DeliveryWrite {
  delivery: StoredDelivery;
  cutoffMs: number;
}

/**
 * Inside a group commit, sent after that batch's event insert: the two statements (whatever the batch's
 * size) that store each attempt whose event is retained at its cut-off, and trim each event to its
 * latest MAX_DELIVERIES_PER_EVENT. `insert` answers the ids stored ({@link storedDeliveries}).
 */
export function deliveryStatements(items: readonly DeliveryWrite[]): { insert: SQL; trim: SQL } {
  const input = items.map(({ delivery: d, cutoffMs }) => ({
    id: d.id,
    event_id: d.eventId,
    cutoff: cutoffMs,
    source: d.source,
    target: storable(d.target),
    attempted_at: d.attemptedAtMs,
    status: d.status,
    duration_ms: d.durationMs,
    response_body: storable(d.responseBody),
    response_truncated: d.responseTruncated,
    error: storable(d.error),
  }));
  const eventIds = [...new Set(items.map((item) => item.delivery.eventId))];
  // Raw: jsonb_to_recordset (one statement of any size) and a window function in the trim. The join
  // both checks that the event is retained and copies its received_at (the removal paths' key).
  const insert = sql`
    INSERT INTO ${deliveries} (id, event_id, event_received_at, source, target, attempted_at, status,
      duration_ms, response_body, response_truncated, error)
    SELECT i.id, i.event_id, e.received_at, i.source, i.target, i.attempted_at, i.status, i.duration_ms,
      i.response_body, i.response_truncated, i.error
    FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS i(id text, event_id text, cutoff bigint,
      source text, target text, attempted_at bigint, status integer, duration_ms integer,
      response_body text, response_truncated boolean, error text)
    JOIN ${events} e ON e.id = i.event_id AND e.received_at >= i.cutoff
    RETURNING id`;
  // Bounded per event: an event replayed in a loop keeps only its latest attempts.
  const trim = sql`
    DELETE FROM ${deliveries} WHERE id IN (
      SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY event_id ORDER BY attempted_at DESC, id DESC) AS n
        FROM ${deliveries}
        WHERE event_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb))
      ) ranked WHERE n > ${MAX_DELIVERIES_PER_EVENT}
    )`;
  return { insert, trim };
}

/** Per item, whether {@link deliveryStatements}' insert stored it (`rows`: what it answered). */
export function storedDeliveries(
  items: readonly DeliveryWrite[],
  rows: readonly { id: string }[],
): boolean[] {
  const ids = new Set(rows.map((row) => row.id));
  return items.map((item) => ids.has(item.delivery.id));
}

/** The columns of a stored delivery under their domain names. */
const deliveryColumns = {
  id: deliveries.id,
  eventId: deliveries.eventId,
  source: deliveries.source,
  target: deliveries.target,
  attemptedAtMs: deliveries.attemptedAt,
  status: deliveries.status,
  durationMs: deliveries.durationMs,
  responseBody: deliveries.responseBody,
  responseTruncated: deliveries.responseTruncated,
  error: deliveries.error,
};

/** The store's delivery reads: joined to the event, so an expired (not yet retired) event shows none. */
export function createDeliveryReads(ctx: PgContext): Pick<EventReader, 'listDeliveries'> {
  const db = plainDb(ctx);
  const list = db
    .select(deliveryColumns)
    .from(deliveries)
    .innerJoin(
      events,
      and(eq(events.id, deliveries.eventId), eq(events.receivedAt, deliveries.eventReceivedAt)),
    )
    .where(
      and(
        eq(deliveries.eventId, sql.placeholder('eventId')),
        gte(events.receivedAt, sql.placeholder('cutoff')),
      ),
    )
    .orderBy(asc(deliveries.attemptedAt), asc(deliveries.id))
    .prepare('hs_list_deliveries');
  return {
    async listDeliveries(eventId, cutoffMs): Promise<StoredDelivery[]> {
      return list.execute({ eventId, cutoff: cutoffMs });
    },
  };
}
