import { toJsonSchema } from '../domain/schema-export.js';
import { JSON_TYPES, type JsonType } from '../domain/schema-learning.js';
import type { JsonObject } from '../domain/types.js';
import type { LearnedField, LearnedSchema } from '../store/types.js';
import { msToDateTime } from './datetime.js';

// Learned schemas as both APIs show them: GraphQL's EntitySchema and the REST download share these.

/** The JSON Schema (draft 2020-12) export of a learned schema. */
export function jsonSchemaOf(schema: LearnedSchema): JsonObject {
  return toJsonSchema(schema.entityType, schema.actions);
}

/** Events learned across the actions of a schema. */
export const schemaEventCount = (schema: LearnedSchema): number =>
  schema.actions.reduce((sum, action) => sum + action.eventCount, 0);

/** A field's types as a list in JSON_TYPES order: `[{ type: 'string', count: 3 }]`. */
export function typesSeen(field: Pick<LearnedField, 'types'>): { type: JsonType; count: number }[] {
  return JSON_TYPES.flatMap((type) => {
    const count = field.types[type];
    return count ? [{ type, count }] : [];
  });
}

/** The hourly counts with their hour as RFC 3339. */
export const seenForApi = (field: Pick<LearnedField, 'seen'>): { hour: string; count: number }[] =>
  field.seen.map((bucket) => ({ hour: msToDateTime(bucket.startMs), count: bucket.count }));

/** A learned schema as the REST API shows it (the same fields as GraphQL's EntitySchema). */
export function schemaToJson(schema: LearnedSchema) {
  return {
    entityType: schema.entityType,
    eventCount: schemaEventCount(schema),
    actions: schema.actions.map((action) => ({
      action: action.action,
      eventCount: action.eventCount,
      firstSeen: msToDateTime(action.firstSeenMs),
      lastSeen: msToDateTime(action.lastSeenMs),
      fields: action.fields.map((field) => ({
        path: field.path,
        types: typesSeen(field),
        presentCount: field.presentCount,
        presence: field.presentCount / action.eventCount,
        firstSeen: msToDateTime(field.firstSeenMs),
        lastSeen: msToDateTime(field.lastSeenMs),
        example: field.example ?? null,
        seen: seenForApi(field),
      })),
    })),
  };
}
