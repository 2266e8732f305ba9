import type { Action, ValidationIssue } from '../../domain/types.js';
import type { Page, StoredEntity, StoredEvent, StoredRejection } from '../types.js';

/** An `events` row as SQLite returns it. */
export interface EventRow {
  id: string;
  received_at: number;
  time: number;
  action: Action;
  entity_type: string;
  entity_id: string;
  modified_fields: string | null;
  delivery_id: string | null;
  headers: string | null;
  raw: Buffer;
}

/** A `rejections` row as SQLite returns it. */
export interface RejectionRow {
  id: string;
  received_at: number;
  status: number;
  code: string;
  message: string;
  issues: string;
  headers: string | null;
  raw: Buffer;
  raw_bytes: number;
}

/** An `entities` row as SQLite returns it. */
export interface EntityRow {
  id: string;
  entity_type: string;
  last_received_at: number;
}

/** The stored event of an `events` row. */
export function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    receivedAtMs: row.received_at,
    timeMs: row.time,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    modifiedFields: row.modified_fields === null ? null : (JSON.parse(row.modified_fields) as string[]),
    deliveryId: row.delivery_id,
    headers: row.headers === null ? null : (JSON.parse(row.headers) as Record<string, string>),
    raw: row.raw,
  };
}

/** The stored rejection of a `rejections` row. */
export function toRejection(row: RejectionRow): StoredRejection {
  return {
    id: row.id,
    receivedAtMs: row.received_at,
    status: row.status,
    code: row.code,
    message: row.message,
    issues: JSON.parse(row.issues) as ValidationIssue[],
    headers: row.headers === null ? null : (JSON.parse(row.headers) as Record<string, string>),
    raw: row.raw,
    rawBytes: row.raw_bytes,
  };
}

/** The stored entity of an `entities` row. */
export function toEntity(row: EntityRow): StoredEntity {
  return { id: row.id, entityType: row.entity_type, lastReceivedAtMs: row.last_received_at };
}

/** A page of `first` rows from `first + 1` read: the extra row only says that a next page exists. */
export function toPage<R, T>(rows: R[], first: number, map: (row: R) => T): Page<T> {
  return { rows: rows.slice(0, first).map(map), hasNextPage: rows.length > first };
}
