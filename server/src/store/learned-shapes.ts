import { isJsonObject } from '../domain/json.js';
import { SCHEMA_BUCKET_MS, type ActionShape, type JsonType } from '../domain/schema-learning.js';
import type { Action, JsonObject } from '../domain/types.js';

// What both stores' learned-schema rows share: the stored form of a learned field and its conversions to
// and from the learner's in-memory shape (domain/schema-learning.ts), whatever the dialect.

/** One learned field as stored inside `schema_shapes.fields`. */
export interface StoredFieldShape {
  path: string;
  types: Partial<Record<JsonType, number>>;
  presentCount: number;
  firstSeenAt: number;
  lastSeenAt: number;
  exampleEventId: string;
}

/** A `schema_shapes` row as either store reads it. */
export interface StoredActionShape {
  entityType: string;
  action: Action;
  eventCount: number;
  firstSeenAt: number;
  lastSeenAt: number;
  fields: StoredFieldShape[];
}

/** The start of the learned-schema bucket (SCHEMA_BUCKET_MS) holding `ms`. */
export const schemaBucketStart = (ms: number): number => Math.floor(ms / SCHEMA_BUCKET_MS) * SCHEMA_BUCKET_MS;

/** A stored shape row as the learner holds it. */
export function toActionShape(row: StoredActionShape): ActionShape {
  return {
    entityType: row.entityType,
    action: row.action,
    eventCount: row.eventCount,
    firstSeenMs: row.firstSeenAt,
    lastSeenMs: row.lastSeenAt,
    fields: new Map(
      row.fields.map((field) => [
        field.path,
        {
          path: field.path,
          types: field.types,
          presentCount: field.presentCount,
          firstSeenMs: field.firstSeenAt,
          lastSeenMs: field.lastSeenAt,
          exampleEventId: field.exampleEventId,
        },
      ]),
    ),
  };
}

/** The learner's fields of a shape as stored. */
export function toStoredFields(shape: ActionShape): StoredFieldShape[] {
  return [...shape.fields.values()].map((field) => ({
    path: field.path,
    types: field.types,
    presentCount: field.presentCount,
    firstSeenAt: field.firstSeenMs,
    lastSeenAt: field.lastSeenMs,
    exampleEventId: field.exampleEventId,
  }));
}

/** The payload of a stored body, or null when the bytes are not a JSON object with an object payload. */
export function payloadOfRaw(raw: Buffer): JsonObject | null {
  try {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    return isJsonObject(body) && isJsonObject(body.payload) ? body.payload : null;
  } catch {
    // Rows the intake did not validate (tests seeding raw bytes) are not learned from.
    return null;
  }
}
