import { and, asc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { isJsonObject } from '../../domain/json.js';
import {
  createSchemaLearner,
  type ActionShape,
  type LearnableEvent,
  type SeenBucket,
} from '../../domain/schema-learning.js';
import type { Json, JsonObject } from '../../domain/types.js';
import type { EventReader, LearnedSchema } from '../types.js';
import type { PgContext, PgTx } from './context.js';
import { mayPrepare } from './pipeline.js';
import { plainDb, type PgQueryable } from './partitions.js';
import { events, schemaBuckets, schemaShapes } from './schema.js';
import {
  exampleEventIds,
  payloadOfRaw,
  schemaBucketStart,
  toActionShape,
  toLearnedSchemas,
  toStoredFields,
} from '../learned-shapes.js';

// Learned schemas on PostgreSQL. Unlike SQLite's writer (one process, a learner kept in memory and
// written once a second), several replicas learn into the same rows: each ingest transaction, under the
// ingest lock, reads the shapes of its batch's entity types, learns its events in commit order, and
// writes what changed before it commits. So the rows are always complete (no mark, nothing to learn
// again after a crash), a rolled-back batch taught nothing, and replicas learn in commit order.

/** An event as the learner reads it: its facts and its body (parsed again only when no payload is given). */
export type LearnedEvent = LearnableEvent & { raw: Buffer };

/** The learning of one ingest transaction: the state of the batch's entity types, read once. */
export interface BatchLearner {
  /**
   * Learns one stored (not duplicate) event, in commit order; its drift warnings (null: none), judged
   * against what every event before it taught. Pure: nothing is written until {@link BatchLearner.write}.
   */
  learn(event: LearnedEvent, payload?: JsonObject): string[] | null;
  /**
   * The statement that writes what the batch taught (null: nothing), to send inside the same
   * transaction, before its commit. Call once, after the batch's last {@link BatchLearner.learn}.
   */
  changes(): SQL | null;
}

/** Example events looked up per statement at most. */
const EXAMPLE_LOOKUP_CHUNK = 500;

/** A body's escape of U+0000: PostgreSQL's text and jsonb cannot hold the character itself. */
const NUL_ESCAPE = Buffer.from('\\u0000');

/** `value` with U+0000 in its object keys replaced by U+FFFD (a learned path is stored as text). */
function withoutNulKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNulKeys);
  if (!isJsonObject(value)) return value;
  // fromEntries: own properties even for a key like "__proto__", as JSON.parse makes them.
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.replaceAll('\u0000', '\ufffd'),
      withoutNulKeys(inner as Json),
    ]),
  );
}

/** The buckets of one batch merged by (entity type, action, hour): the upsert may touch each row once. */
function mergeBuckets(buckets: readonly SeenBucket[]): SeenBucket[] {
  const merged = new Map<string, SeenBucket>();
  for (const bucket of buckets) {
    const key = `${bucket.entityType}\u0000${bucket.action}\u0000${bucket.startMs}`;
    const held = merged.get(key);
    if (!held) {
      merged.set(key, { ...bucket, counts: new Map(bucket.counts) });
      continue;
    }
    for (const [path, n] of bucket.counts) held.counts.set(path, (held.counts.get(path) ?? 0) + n);
  }
  return [...merged.values()];
}

/** The statement that writes the changed shapes (whole) and the batch's bucket counts (added to the stored ones). */
function changesStatement(shapes: ActionShape[], buckets: SeenBucket[]): SQL | null {
  if (shapes.length === 0 && buckets.length === 0) return null;
  const shapeRows = shapes.map((shape) => ({
    entity_type: shape.entityType,
    action: shape.action,
    event_count: shape.eventCount,
    first_seen_at: shape.firstSeenMs,
    last_seen_at: shape.lastSeenMs,
    fields: toStoredFields(shape),
  }));
  const bucketRows = mergeBuckets(buckets).map((bucket) => ({
    entity_type: bucket.entityType,
    action: bucket.action,
    start_at: bucket.startMs,
    counts: Object.fromEntries(bucket.counts),
  }));
  // Raw: one statement for both tables of any batch size (jsonb_to_recordset, data-modifying CTEs and a
  // per-key jsonb merge in ON CONFLICT have no drizzle words). The batch's learner started every bucket
  // empty, so its counts are added to what the row holds.
  return sql`
    WITH shapes AS (
      INSERT INTO ${schemaShapes} AS s (entity_type, action, event_count, first_seen_at, last_seen_at, fields)
      SELECT entity_type, action, event_count, first_seen_at, last_seen_at, fields
      FROM jsonb_to_recordset(${JSON.stringify(shapeRows)}::jsonb)
        AS x(entity_type text, action text, event_count bigint, first_seen_at bigint, last_seen_at bigint, fields jsonb)
      ON CONFLICT (entity_type, action) DO UPDATE SET
        event_count = excluded.event_count, last_seen_at = excluded.last_seen_at, fields = excluded.fields
      RETURNING 1
    ), buckets AS (
      INSERT INTO ${schemaBuckets} AS b (entity_type, action, start_at, counts)
      SELECT entity_type, action, start_at, counts
      FROM jsonb_to_recordset(${JSON.stringify(bucketRows)}::jsonb)
        AS y(entity_type text, action text, start_at bigint, counts jsonb)
      ON CONFLICT (entity_type, action, start_at) DO UPDATE SET counts = b.counts || (
        SELECT jsonb_object_agg(n.key, coalesce((b.counts ->> n.key)::bigint, 0) + n.value::bigint)
        FROM jsonb_each_text(excluded.counts) AS n
      )
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM shapes) AS shapes, (SELECT count(*) FROM buckets) AS buckets`;
}

/**
 * Inside the ingest transaction, under its lock: reads the learned shapes of `entityTypes` (one query)
 * and answers the learner of this batch.
 */
export async function loadBatchLearner(tx: PgTx, entityTypes: readonly string[]): Promise<BatchLearner> {
  const types = [...new Set(entityTypes)];
  // Prepared, with the types as one array parameter: the driver sends an unprepared statement with
  // parameters in two round trips (it describes it first), and this one is read under the ingest lock.
  // Raw: `= any()` of an array parameter has no drizzle word (inArray makes the text vary with the count).
  const byTypes = (list: unknown) => sql`${schemaShapes.entityType} = any(${list}::text[])`;
  const query = tx.db.select().from(schemaShapes);
  const rows =
    types.length === 0
      ? []
      : mayPrepare(tx.sql)
        ? await query
            .where(byTypes(sql.placeholder('types')))
            .prepare('hs_batch_shapes')
            .execute({ types })
        : // Through a transaction pooler nothing is prepared: the types as a value, the same text.
          await query.where(byTypes(sql.param(types)));
  // No buckets given: the learner counts this batch's hours from zero, and `write` adds them up.
  const learner = createSchemaLearner(rows.map(toActionShape));
  return {
    learn(event, given) {
      const parsed = given ?? payloadOfRaw(event.raw);
      if (parsed === null) return null;
      // A key with U+0000 is only ever written as the escape in a JSON body (cheap to look for): it is
      // learned as U+FFFD, the same way every time, instead of failing the whole commit.
      const payload = event.raw.includes(NUL_ESCAPE) ? (withoutNulKeys(parsed) as JsonObject) : parsed;
      const drift = learner.observe(event, payload);
      return drift.length > 0 ? drift : null;
    },
    changes() {
      const { shapes, buckets } = learner.takeChanges();
      return changesStatement(shapes, buckets);
    },
  };
}

/** The example values of `shapes`' fields, from their events retained at `cutoffMs` (by event id). */
async function retainedPayloads(
  db: PgQueryable,
  shapes: ActionShape[],
  cutoffMs: number,
): Promise<Map<string, JsonObject>> {
  const payloads = new Map<string, JsonObject>();
  const all = exampleEventIds(shapes);
  for (let i = 0; i < all.length; i += EXAMPLE_LOOKUP_CHUNK) {
    const rows = await db
      .select({ id: events.id, raw: events.raw })
      .from(events)
      .where(
        and(inArray(events.id, all.slice(i, i + EXAMPLE_LOOKUP_CHUNK)), gte(events.receivedAt, cutoffMs)),
      );
    for (const row of rows) {
      const payload = payloadOfRaw(row.raw);
      if (payload) payloads.set(row.id, payload);
    }
  }
  return payloads;
}

/** The learned-schema reads of the contract. */
export function createSchemaReads(ctx: PgContext): Pick<EventReader, 'listSchemas' | 'getSchema'> {
  const db = plainDb(ctx);
  const read = async (entityType: string | null, cutoffMs: number): Promise<LearnedSchema[]> => {
    const typed = entityType === null ? undefined : eq(schemaShapes.entityType, entityType);
    const [shapeRows, buckets] = await Promise.all([
      db.select().from(schemaShapes).where(typed),
      db
        .select()
        .from(schemaBuckets)
        .where(
          and(
            gte(schemaBuckets.startAt, schemaBucketStart(cutoffMs)),
            entityType === null ? undefined : eq(schemaBuckets.entityType, entityType),
          ),
        )
        .orderBy(asc(schemaBuckets.startAt)),
    ]);
    const shapes = shapeRows.map(toActionShape);
    const payloads = await retainedPayloads(db, shapes, cutoffMs);
    return toLearnedSchemas(shapes, buckets, payloads);
  };
  return {
    listSchemas: (cutoffMs) => read(null, cutoffMs),
    async getSchema(entityType, cutoffMs) {
      return (await read(entityType, cutoffMs))[0] ?? null;
    },
  };
}
