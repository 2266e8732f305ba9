import { sql } from 'drizzle-orm';
import type { Page, StoredEntity, StoredEvent, StoredRejection } from '../types.js';
import { entities, events, rejections } from './schema.js';

// Rows become domain objects in the select itself: each selection names the columns under their domain
// names, and drizzle decodes them (bigint ms as numbers, jsonb, bytea as a Buffer).

/** The columns of a stored event under their domain names (the sequence as its decimal string). */
export const eventColumns = {
  id: events.id,
  sequence: sql<string>`${events.sequence}::text`,
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
} satisfies Record<keyof StoredEvent, unknown>;

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
} satisfies Record<keyof StoredRejection, unknown>;

/** The columns of a stored entity under their domain names. */
export const entityColumns = {
  id: entities.id,
  entityType: entities.entityType,
  lastReceivedAtMs: entities.lastReceivedAt,
} satisfies Record<keyof StoredEntity, unknown>;

/** A page of `first` rows from `first + 1` read: the extra row only says that a next page exists. */
export function toPage<T>(rows: T[], first: number): Page<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}
