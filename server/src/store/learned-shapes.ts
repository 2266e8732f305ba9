import { isJsonObject } from '../domain/json.js';
import { SCHEMA_BUCKET_MS, valueAtPath, type ActionShape, type JsonType } from '../domain/schema-learning.js';
import { ACTIONS, type Action, type JsonObject } from '../domain/types.js';
import type { LearnedSchema } from './types.js';

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

/** A `schema_buckets` row as either store reads it: how often each field was seen in one hour. */
export interface StoredSchemaBucket {
  entityType: string;
  action: Action;
  startAt: number;
  counts: Record<string, number>;
}

/** The ids of the events `shapes`' example values come from (each once). */
export function exampleEventIds(shapes: ActionShape[]): string[] {
  const ids = new Set<string>();
  for (const shape of shapes) for (const field of shape.fields.values()) ids.add(field.exampleEventId);
  return [...ids];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const actionOrder = (a: ActionShape): number => ACTIONS.indexOf(a.action);

/**
 * The learned schemas of `shapes`, by entity type (sorted) and action (create, update, delete): each
 * field with its sparkline from `buckets` (ascending by start) and its example value from `payloads` (the
 * retained events' payloads by id; a field whose example event is gone has none).
 */
export function toLearnedSchemas(
  shapes: ActionShape[],
  buckets: StoredSchemaBucket[],
  payloads: Map<string, JsonObject>,
): LearnedSchema[] {
  const sorted = [...shapes].sort(
    (a, b) => byName(a.entityType, b.entityType) || actionOrder(a) - actionOrder(b),
  );
  const byType = new Map<string, LearnedSchema>();
  for (const shape of sorted) {
    const own = buckets.filter((b) => b.entityType === shape.entityType && b.action === shape.action);
    let schema = byType.get(shape.entityType);
    if (!schema) {
      schema = { entityType: shape.entityType, actions: [] };
      byType.set(shape.entityType, schema);
    }
    schema.actions.push({
      action: shape.action,
      eventCount: shape.eventCount,
      firstSeenMs: shape.firstSeenMs,
      lastSeenMs: shape.lastSeenMs,
      fields: [...shape.fields.values()].map((field) => {
        const payload = payloads.get(field.exampleEventId);
        return {
          path: field.path,
          types: field.types,
          presentCount: field.presentCount,
          firstSeenMs: field.firstSeenMs,
          lastSeenMs: field.lastSeenMs,
          example: payload ? valueAtPath(payload, field.path) : undefined,
          seen: own.flatMap((b) => {
            const count = b.counts[field.path];
            return count ? [{ startMs: b.startAt, count }] : [];
          }),
        };
      }),
    });
  }
  return [...byType.values()];
}
