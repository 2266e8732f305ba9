import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { EventReader, StoredDelivery } from '../types.js';
import { prepareRows, type Orm } from './orm.js';
import { deliveries, events } from './schema.js';

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
} satisfies Record<keyof StoredDelivery, SQLiteColumn>;

/** The store's delivery reads. */
export type DeliveryReads = Pick<EventReader, 'listDeliveries'>;

/** Creates the delivery reads: joined to the event, so an expired (not yet purged) event shows none. */
export function createDeliveryReads(orm: Orm): DeliveryReads {
  const list = prepareRows(
    orm,
    orm
      .select(deliveryColumns)
      .from(deliveries)
      .innerJoin(events, eq(events.id, deliveries.eventId))
      .where(
        and(
          eq(deliveries.eventId, sql.placeholder('eventId')),
          gte(events.receivedAt, sql.placeholder('cutoff')),
        ),
      )
      .orderBy(asc(deliveries.attemptedAt), asc(deliveries.id)),
    deliveryColumns,
  );
  return {
    async listDeliveries(eventId, cutoffMs) {
      return list.all({ eventId, cutoff: cutoffMs });
    },
  };
}

/**
 * Prepares the insert of one delivery inside a commit: it checks that its event is retained first (the
 * foreign key alone would refuse an unknown event with an error, and would take an expired one).
 * Answers whether it stored the delivery.
 */
export function prepareDeliveryInsert(orm: Orm): (delivery: StoredDelivery, cutoffMs: number) => boolean {
  const retained = orm
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.id, sql.placeholder('id')), gte(events.receivedAt, sql.placeholder('cutoff'))))
    .prepare();
  const insert = orm
    .insert(deliveries)
    .values({
      id: sql.placeholder('id'),
      eventId: sql.placeholder('eventId'),
      source: sql.placeholder('source'),
      target: sql.placeholder('target'),
      attemptedAt: sql.placeholder('attemptedAt'),
      status: sql.placeholder('status'),
      durationMs: sql.placeholder('durationMs'),
      responseBody: sql.placeholder('responseBody'),
      responseTruncated: sql.placeholder('responseTruncated'),
      error: sql.placeholder('error'),
    })
    .prepare();
  return (delivery, cutoffMs) => {
    if (!retained.get({ id: delivery.eventId, cutoff: cutoffMs })) return false;
    insert.run({
      ...delivery,
      attemptedAt: delivery.attemptedAtMs,
      // A placeholder bypasses the boolean column's encoder: SQLite stores 0/1.
      responseTruncated: delivery.responseTruncated ? 1 : 0,
    });
    return true;
  };
}
