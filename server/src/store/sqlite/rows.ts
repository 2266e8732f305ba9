import { sql, type GetColumnData, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Page, StoredEntity, StoredEvent, StoredRejection } from '../types.js';
import type { Orm } from './orm.js';
import { entities, eventSequence, events, rejections } from './schema.js';

// Rows become domain objects in the select itself: the selections below name each column under its
// domain name, and drizzle decodes the JSON columns, so no row type sits in between.

/** The columns of a stored event under their domain names. */
export const eventColumns = {
  id: events.id,
  sequence: events.sequence,
  receivedAtMs: events.receivedAt,
  timeMs: events.time,
  action: events.action,
  entityType: events.entityType,
  entityId: events.entityId,
  modifiedFields: events.modifiedFields,
  deliveryId: events.deliveryId,
  headers: events.headers,
  raw: events.raw,
  drift: events.drift,
} satisfies Record<keyof StoredEvent, SQLiteColumn>;

/** The columns of a stored rejection under their domain names. */
export const rejectionColumns = {
  id: rejections.id,
  receivedAtMs: rejections.receivedAt,
  status: rejections.status,
  code: rejections.code,
  message: rejections.message,
  issues: rejections.issues,
  headers: rejections.headers,
  raw: rejections.raw,
  rawBytes: rejections.rawBytes,
} satisfies Record<keyof StoredRejection, SQLiteColumn>;

/** The columns of a stored entity under their domain names. */
export const entityColumns = {
  id: entities.id,
  entityType: entities.entityType,
  lastReceivedAtMs: entities.lastReceivedAt,
} satisfies Record<keyof StoredEntity, SQLiteColumn>;

/** A selection of columns as `sql` fragments, each decoded like its column. */
export type Fragments<T extends Record<string, SQLiteColumn>> = { [K in keyof T]: SQL<GetColumnData<T[K]>> };

/**
 * `columns` as fragments, for a FROM that drizzle does not see as their table (`events NOT INDEXED`,
 * `INDEXED BY`): drizzle refuses a column of a table that is not part of the query.
 */
export function asFragments<T extends Record<string, SQLiteColumn>>(columns: T): Fragments<T> {
  const entries = Object.entries(columns).map(([key, column]) => [key, sql`${column}`.mapWith(column)]);
  return Object.fromEntries(entries) as Fragments<T>;
}

/** The `events` row that stores `event`. */
export function toEventRow(event: StoredEvent): typeof events.$inferInsert {
  return {
    id: event.id,
    sequence: event.sequence,
    receivedAt: event.receivedAtMs,
    time: event.timeMs,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    modifiedFields: event.modifiedFields,
    deliveryId: event.deliveryId,
    headers: event.headers,
    raw: event.raw,
    drift: event.drift && event.drift.length > 0 ? event.drift : null,
  };
}

/** The `rejections` row that stores `rejection`. */
export function toRejectionRow(rejection: StoredRejection): typeof rejections.$inferInsert {
  return {
    id: rejection.id,
    receivedAt: rejection.receivedAtMs,
    status: rejection.status,
    code: rejection.code,
    message: rejection.message,
    issues: rejection.issues,
    headers: rejection.headers,
    raw: rejection.raw,
    rawBytes: rejection.rawBytes,
  };
}

/**
 * A placeholder for a nullable JSON column, bound as text the caller encodes with {@link jsonOrNull}:
 * drizzle's json encoder, applied to placeholders, would store a null as the JSON text 'null'.
 */
function encodedJson(name: string) {
  return sql`${sql.placeholder(name)}`;
}

/** A nullable JSON value as the text its column stores (SQL NULL for null). */
function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Prepares the insert of one event: the store's ingest path, and the seeders' (one statement each). */
export function prepareEventInsert(orm: Orm): (event: StoredEvent) => void {
  const statement = orm
    .insert(events)
    .values({
      id: sql.placeholder('id'),
      sequence: sql.placeholder('sequence'),
      receivedAt: sql.placeholder('receivedAt'),
      time: sql.placeholder('time'),
      action: sql.placeholder('action'),
      entityType: sql.placeholder('entityType'),
      entityId: sql.placeholder('entityId'),
      modifiedFields: encodedJson('modifiedFields'),
      deliveryId: sql.placeholder('deliveryId'),
      headers: encodedJson('headers'),
      raw: sql.placeholder('raw'),
      drift: encodedJson('drift'),
    })
    .prepare();
  return (event) => {
    const row = toEventRow(event);
    statement.run({
      ...row,
      // Bound as the INTEGER the column holds (placeholders skip the column's encoder).
      sequence: Number(event.sequence),
      modifiedFields: jsonOrNull(row.modifiedFields),
      headers: jsonOrNull(row.headers),
      drift: jsonOrNull(row.drift),
    });
  };
}

/**
 * Prepares the write of the last position given out (`event_sequence`), after events were inserted with
 * {@link prepareEventInsert}. An upsert: the row exists from migration 0010 on, but a position must not
 * be lost if it were ever missing.
 */
export function prepareSequenceSave(orm: Orm): (last: number) => void {
  const statement = orm
    .insert(eventSequence)
    .values({ id: 1, last: sql.placeholder('last') })
    // excluded.<column>: the row the insert proposed; drizzle has no word for it.
    .onConflictDoUpdate({
      target: eventSequence.id,
      set: { last: sql.raw(`excluded.${eventSequence.last.name}`) },
    })
    .prepare();
  return (last) => void statement.run({ last });
}

/** Prepares the insert of one rejection. */
export function prepareRejectionInsert(orm: Orm): (rejection: StoredRejection) => void {
  const statement = orm
    .insert(rejections)
    .values({
      id: sql.placeholder('id'),
      receivedAt: sql.placeholder('receivedAt'),
      status: sql.placeholder('status'),
      code: sql.placeholder('code'),
      message: sql.placeholder('message'),
      issues: sql.placeholder('issues'),
      headers: encodedJson('headers'),
      raw: sql.placeholder('raw'),
      rawBytes: sql.placeholder('rawBytes'),
    })
    .prepare();
  return (rejection) => {
    const row = toRejectionRow(rejection);
    statement.run({ ...row, headers: jsonOrNull(row.headers) });
  };
}

/** Prepares the upsert of an entity's row after one of its events: the type and time of the latest. */
export function prepareEntityUpsert(orm: Orm): (entity: StoredEntity) => void {
  const statement = orm
    .insert(entities)
    .values({
      id: sql.placeholder('id'),
      entityType: sql.placeholder('entityType'),
      lastReceivedAt: sql.placeholder('lastReceivedAt'),
    })
    .onConflictDoUpdate({
      target: entities.id,
      // excluded.<column>: the row the insert proposed; drizzle has no word for it.
      set: {
        entityType: sql.raw(`excluded.${entities.entityType.name}`),
        lastReceivedAt: sql.raw(`excluded.${entities.lastReceivedAt.name}`),
      },
    })
    .prepare();
  return (entity) =>
    void statement.run({
      id: entity.id,
      entityType: entity.entityType,
      lastReceivedAt: entity.lastReceivedAtMs,
    });
}

/** A page of `first` rows from `first + 1` read: the extra row only says that a next page exists. */
export function toPage<T>(rows: T[], first: number): Page<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}
