import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import { isJsonObject } from '../../domain/json.js';
import {
  createSchemaLearner,
  SCHEMA_BUCKET_MS,
  valueAtPath,
  type ActionShape,
  type SchemaLearner,
  type SeenBucket,
} from '../../domain/schema-learning.js';
import { ACTIONS, type JsonObject } from '../../domain/types.js';
import type { EventReader, LearnedSchema, StoredEvent } from '../types.js';
import type { Orm } from './orm.js';
import { events, schemaBuckets, schemaShapes, type StoredFieldShape } from './schema.js';

/** The learner inside the writer's group commit. */
export interface SchemaLearning {
  /** Learns a stored (not duplicate) event inside its commit; its drift warnings, null when none. */
  learn(event: StoredEvent): string[] | null;
  /** Writes what the commit's events taught: one upsert per shape and per bucket they touched. */
  persist(): void;
  /** After a commit rolled back: forget what it taught, back to what is stored. */
  reset(): void;
}

/** Example events looked up per statement at most (SQLite's bound-parameter limit is far above it). */
const EXAMPLE_LOOKUP_CHUNK = 500;

const bucketStart = (ms: number): number => Math.floor(ms / SCHEMA_BUCKET_MS) * SCHEMA_BUCKET_MS;

function toActionShape(row: typeof schemaShapes.$inferSelect): ActionShape {
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

function toStoredFields(shape: ActionShape): StoredFieldShape[] {
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
function payloadOfRaw(raw: Buffer): JsonObject | null {
  try {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    return isJsonObject(body) && isJsonObject(body.payload) ? body.payload : null;
  } catch {
    // Rows the intake did not validate (tests seeding raw bytes) are not learned from.
    return null;
  }
}

/** A learner continuing from what the database holds. */
function loadLearner(orm: Orm): SchemaLearner {
  const shapes = orm.select().from(schemaShapes).all().map(toActionShape);
  const buckets: SeenBucket[] = orm
    .select()
    .from(schemaBuckets)
    .all()
    .map((row) => ({
      entityType: row.entityType,
      action: row.action,
      startMs: row.startAt,
      counts: new Map(Object.entries(row.counts)),
    }));
  return createSchemaLearner(shapes, buckets);
}

/** Creates the learning step of the writer's commits, continuing from the stored shapes. */
export function createSchemaLearning(orm: Orm): SchemaLearning {
  let learner = loadLearner(orm);
  // excluded.<column>: the row the insert proposed; drizzle has no word for it. The JSON columns are
  // bound as text encoded here (drizzle's encoder does not apply to placeholders inside sql``).
  const upsertShape = orm
    .insert(schemaShapes)
    .values({
      entityType: sql.placeholder('entityType'),
      action: sql.placeholder('action'),
      eventCount: sql.placeholder('eventCount'),
      firstSeenAt: sql.placeholder('firstSeenAt'),
      lastSeenAt: sql.placeholder('lastSeenAt'),
      fields: sql`${sql.placeholder('fields')}`,
    })
    .onConflictDoUpdate({
      target: [schemaShapes.entityType, schemaShapes.action],
      set: {
        eventCount: sql.raw(`excluded.${schemaShapes.eventCount.name}`),
        lastSeenAt: sql.raw(`excluded.${schemaShapes.lastSeenAt.name}`),
        fields: sql.raw(`excluded.${schemaShapes.fields.name}`),
      },
    })
    .prepare();
  const upsertBucket = orm
    .insert(schemaBuckets)
    .values({
      entityType: sql.placeholder('entityType'),
      action: sql.placeholder('action'),
      startAt: sql.placeholder('startAt'),
      counts: sql`${sql.placeholder('counts')}`,
    })
    .onConflictDoUpdate({
      target: [schemaBuckets.entityType, schemaBuckets.action, schemaBuckets.startAt],
      set: { counts: sql.raw(`excluded.${schemaBuckets.counts.name}`) },
    })
    .prepare();
  return {
    learn(event) {
      const payload = payloadOfRaw(event.raw);
      if (payload === null) return null;
      const drift = learner.observe(event, payload);
      return drift.length > 0 ? drift : null;
    },
    persist() {
      const { shapes, buckets } = learner.takeChanges();
      for (const shape of shapes) {
        upsertShape.run({
          entityType: shape.entityType,
          action: shape.action,
          eventCount: shape.eventCount,
          firstSeenAt: shape.firstSeenMs,
          lastSeenAt: shape.lastSeenMs,
          fields: JSON.stringify(toStoredFields(shape)),
        });
      }
      for (const bucket of buckets) {
        upsertBucket.run({
          entityType: bucket.entityType,
          action: bucket.action,
          startAt: bucket.startMs,
          counts: JSON.stringify(Object.fromEntries(bucket.counts)),
        });
      }
    },
    reset() {
      learner = loadLearner(orm);
    },
  };
}

/** The example values of `shapes`' fields, from their events retained at `cutoffMs` (by event id). */
function retainedPayloads(orm: Orm, shapes: ActionShape[], cutoffMs: number): Map<string, JsonObject> {
  const ids = new Set<string>();
  for (const shape of shapes) for (const field of shape.fields.values()) ids.add(field.exampleEventId);
  const payloads = new Map<string, JsonObject>();
  const all = [...ids];
  for (let i = 0; i < all.length; i += EXAMPLE_LOOKUP_CHUNK) {
    const rows = orm
      .select({ id: events.id, raw: events.raw })
      .from(events)
      .where(
        and(inArray(events.id, all.slice(i, i + EXAMPLE_LOOKUP_CHUNK)), gte(events.receivedAt, cutoffMs)),
      )
      .all();
    for (const row of rows) {
      const payload = payloadOfRaw(row.raw);
      if (payload) payloads.set(row.id, payload);
    }
  }
  return payloads;
}

/** The learned-schema reads of the contract. */
export function createSchemaReads(orm: Orm): Pick<EventReader, 'listSchemas' | 'getSchema'> {
  const read = (entityType: string | null, cutoffMs: number): LearnedSchema[] => {
    const shapes = orm
      .select()
      .from(schemaShapes)
      .where(entityType === null ? undefined : eq(schemaShapes.entityType, entityType))
      .all()
      .map(toActionShape);
    const buckets = orm
      .select()
      .from(schemaBuckets)
      .where(
        and(
          gte(schemaBuckets.startAt, bucketStart(cutoffMs)),
          entityType === null ? undefined : eq(schemaBuckets.entityType, entityType),
        ),
      )
      .orderBy(asc(schemaBuckets.startAt))
      .all();
    const payloads = retainedPayloads(orm, shapes, cutoffMs);
    const byType = new Map<string, LearnedSchema>();
    const actionOrder = (a: ActionShape): number => ACTIONS.indexOf(a.action);
    shapes.sort(
      (a, b) =>
        (a.entityType < b.entityType ? -1 : a.entityType > b.entityType ? 1 : 0) ||
        actionOrder(a) - actionOrder(b),
    );
    for (const shape of shapes) {
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
  };
  return {
    async listSchemas(cutoffMs) {
      return read(null, cutoffMs);
    },
    async getSchema(entityType, cutoffMs) {
      return read(entityType, cutoffMs)[0] ?? null;
    },
  };
}
