import { and, asc, eq, gt, gte, inArray, sql } from 'drizzle-orm';
import {
  createSchemaLearner,
  type ActionShape,
  type SchemaLearner,
  type SeenBucket,
} from '../../domain/schema-learning.js';
import type { JsonObject } from '../../domain/types.js';
import type { EventReader, LearnedSchema, NewEvent } from '../types.js';
import type { Orm } from './orm.js';
import { events, schemaBuckets, schemaLearningMark, schemaShapes } from './schema.js';
import {
  exampleEventIds,
  payloadOfRaw,
  schemaBucketStart,
  toActionShape,
  toLearnedSchemas,
  toStoredFields,
} from '../learned-shapes.js';

/** The learner inside the writer's group commit. */
export interface SchemaLearning {
  /**
   * Learns a stored (not duplicate) event inside its commit; its drift warnings, null when none.
   * `payload`: its body's payload as the intake parsed it (else the body is parsed here).
   */
  learn(event: NewEvent, payload?: JsonObject): string[] | null;
  /**
   * Inside a transaction: writes what was learned since the last write (one upsert per shape and per
   * bucket touched) and the mark, when {@link SCHEMA_PERSIST_INTERVAL_MS} has passed since the last one,
   * or at once when `removedEvents`: the transaction removed events, after which a new event's rowid
   * may be below the old mark, so the mark must move down with them.
   */
  persist(removedEvents: boolean): void;
  /** Outside a commit: writes what is not written yet, in a transaction of its own (reads, close, purge). */
  flush(): void;
  /** After a commit rolled back: forget what it taught, back to what is stored (and learned again). */
  reset(): void;
}

/**
 * The longest the learned rows lag the learner in memory. Writing them in every commit cost a row write
 * per shape and per bucket per commit, which under load (commits of one or two events) was ~20 % of the
 * CPU of an ingest; once a second it is nothing. The lag loses nothing: the mark says which events the
 * rows include, and the events after it are learned again from their stored rows at open.
 */
export const SCHEMA_PERSIST_INTERVAL_MS = 1_000;

/** Example events looked up per statement at most (SQLite's bound-parameter limit is far above it). */
const EXAMPLE_LOOKUP_CHUNK = 500;

const MARK_ID = 1;

/** The rowid through which the learned rows are complete, or null when there is no mark (nothing to redo). */
function readMark(orm: Orm): number | null {
  const row = orm.select().from(schemaLearningMark).where(eq(schemaLearningMark.id, MARK_ID)).get();
  return row?.learnedThroughRowid ?? null;
}

// rowid: drizzle has no word for it. A new row's rowid is above every stored one, so the rows after a
// mark taken at a commit are the events stored after that commit, in the order they were stored (a
// commit that removes events writes the mark, so a reused rowid is never below it unlearned).
const ROWID = sql<number>`rowid`;

/** The highest rowid of the stored events (0 when there is none). */
function latestRowid(orm: Orm): number {
  return (
    orm
      .select({ rowid: sql<number>`coalesce(max(rowid), 0)` })
      .from(events)
      .get()?.rowid ?? 0
  );
}

/** Events learned again per statement at open (after a crash, at most a second of them). */
const RELEARN_CHUNK = 1_000;

/**
 * A learner continuing from what the database holds: the learned rows, then the events stored after the
 * mark, learned again in the order their commits learned them.
 */
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
  const learner = createSchemaLearner(shapes, buckets);
  // No mark: the rows are complete, and events stored while learning was off stay unlearned.
  let through = readMark(orm);
  while (through !== null) {
    const rows = orm
      .select({
        rowid: ROWID,
        id: events.id,
        entityType: events.entityType,
        action: events.action,
        receivedAtMs: events.receivedAt,
        raw: events.raw,
      })
      .from(events)
      .where(gt(ROWID, through))
      .orderBy(asc(ROWID))
      .limit(RELEARN_CHUNK)
      .all();
    for (const row of rows) {
      const payload = payloadOfRaw(row.raw);
      if (payload !== null) learner.observe(row, payload);
      through = row.rowid;
    }
    if (rows.length < RELEARN_CHUNK) break;
  }
  return learner;
}

/** Prepares the writes of the learned state: the shape and bucket upserts and the mark. */
function prepareLearnedWrites(orm: Orm) {
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
  const upsertMark = orm
    .insert(schemaLearningMark)
    .values({ id: MARK_ID, learnedThroughRowid: sql.placeholder('learnedThroughRowid') })
    .onConflictDoUpdate({
      target: schemaLearningMark.id,
      set: { learnedThroughRowid: sql.raw(`excluded.${schemaLearningMark.learnedThroughRowid.name}`) },
    })
    .prepare();
  /**
   * Writes what `learner` changed since its last `takeChanges`, and the mark: inside a transaction, when
   * `learner` has learned every stored event (since the mark).
   */
  return (learner: SchemaLearner): void => {
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
    upsertMark.run({ learnedThroughRowid: latestRowid(orm) });
  };
}

/**
 * Creates the learning step of the writer's commits, continuing from the stored shapes (and learning
 * again the events stored after the mark). From then on the mark is kept: a crash leaves the events
 * to learn again after it.
 */
export function createSchemaLearning(orm: Orm): SchemaLearning {
  const write = prepareLearnedWrites(orm);
  let learner = loadLearner(orm);
  // Whether the learner holds what the rows do not (then `write` has something to do).
  let behind = true;
  let writtenAtMs = performance.now();
  const persistNow = (): void => {
    write(learner);
    behind = false;
    writtenAtMs = performance.now();
  };
  const flush = orm.$client.transaction(persistNow);
  // The mark from the start: the events of the first second are learned again after a crash too.
  flush();
  return {
    learn(event, given) {
      behind = true;
      const payload = given ?? payloadOfRaw(event.raw);
      if (payload === null) return null;
      const drift = learner.observe(event, payload);
      return drift.length > 0 ? drift : null;
    },
    persist(removedEvents) {
      if (removedEvents || (behind && performance.now() - writtenAtMs >= SCHEMA_PERSIST_INTERVAL_MS)) {
        persistNow();
      }
    },
    flush() {
      if (behind) flush();
    },
    reset() {
      learner = loadLearner(orm);
      behind = true;
    },
  };
}

/**
 * With learning switched off: learns what a crash left to learn again (the events after the mark, while
 * learning was on), writes it and removes the mark, so that the events stored from now on are never learned.
 */
export function settleSchemaLearning(orm: Orm): void {
  if (readMark(orm) === null) return;
  const write = prepareLearnedWrites(orm);
  orm.$client.transaction(() => {
    write(loadLearner(orm));
    orm.delete(schemaLearningMark).run();
  })();
}

/** The example values of `shapes`' fields, from their events retained at `cutoffMs` (by event id). */
function retainedPayloads(orm: Orm, shapes: ActionShape[], cutoffMs: number): Map<string, JsonObject> {
  const payloads = new Map<string, JsonObject>();
  const all = exampleEventIds(shapes);
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

/**
 * The learned-schema reads of the contract; `learning` (when on) first writes what its rows lag, so that
 * a read answers every committed event.
 */
export function createSchemaReads(
  orm: Orm,
  learning: SchemaLearning | null,
): Pick<EventReader, 'listSchemas' | 'getSchema'> {
  const read = (entityType: string | null, cutoffMs: number): LearnedSchema[] => {
    learning?.flush();
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
          gte(schemaBuckets.startAt, schemaBucketStart(cutoffMs)),
          entityType === null ? undefined : eq(schemaBuckets.entityType, entityType),
        ),
      )
      .orderBy(asc(schemaBuckets.startAt))
      .all();
    const payloads = retainedPayloads(orm, shapes, cutoffMs);
    return toLearnedSchemas(shapes, buckets, payloads);
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
