import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import type { Action, ValidationIssue } from '../../domain/types.js';
import type { StoredFieldShape } from '../learned-shapes.js';

// The PostgreSQL store's tables: the same data as server/src/store/sqlite/schema.ts, table for table,
// plus what several replicas on one database need (the stream head, the dedupe table). Times are epoch
// milliseconds in bigint columns, as in SQLite, so both stores share one notion of time and partition
// bounds are plain numbers. drizzle-kit generates server/drizzle/pg/ from this file; what drizzle has
// no word for (partitioning, the pg_trgm extension, fillfactor, the head's one row) is hand-written in
// the migrations and marked there.

/** Raw bytes (drizzle's pg-core has no bytea column): a Buffer both ways, postgres.js encodes it. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Epoch milliseconds: bigint in the database, a JS number here (ms fit in 2^53 for 285,000 years). */
const ms = (name: string) => bigint(name, { mode: 'number' });

/**
 * Stored webhook events, range-partitioned by `received_at` into one partition per UTC day (migration
 * 0000, hand edit; partitions are created ahead by partitions.ts and retired whole by the maintenance).
 * Lists are newest first by (received_at, id) as the contract says; `sequence` is the position in commit
 * order (stream_head), and both orders agree (see docs/postgres.md, "Sequence"). The primary key must
 * include the partition key, so it is (id, received_at); a lookup by id alone reads one index entry per
 * partition. `search_text` is the body decoded as UTF-8 with A-Z folded to a-z in JS (PostgreSQL's
 * lower() would fold non-ASCII letters too, which the contract's search must not), searched with LIKE
 * over a pg_trgm GIN index.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').notNull(),
    receivedAt: ms('received_at').notNull(),
    sequence: bigint('sequence', { mode: 'bigint' }).notNull(),
    time: ms('time').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] }).notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    modifiedFields: jsonb('modified_fields').$type<string[]>(),
    deliveryId: text('delivery_id'),
    headers: jsonb('headers').$type<Record<string, string>>(),
    raw: bytea('raw').notNull(),
    searchText: text('search_text').notNull(),
    drift: jsonb('drift').$type<string[]>(),
  },
  (t) => [
    primaryKey({ name: 'events_pkey', columns: [t.id, t.receivedAt] }),
    index('events_received_at_id_idx').on(t.receivedAt, t.id),
    // The committed stream's tail (eventsAfterSequence) and sequenceBounds.
    index('events_sequence_idx').on(t.sequence),
    index('events_drift_received_at_id_idx')
      .on(t.receivedAt, t.id)
      .where(sql`${t.drift} IS NOT NULL`),
    index('events_action_received_at_id_idx').on(t.action, t.receivedAt, t.id),
    index('events_entity_type_received_at_id_idx').on(t.entityType, t.receivedAt, t.id),
    index('events_entity_id_received_at_id_idx').on(t.entityId, t.receivedAt, t.id),
    // One GIN index per partition (an index on the partitioned parent is created on every partition).
    index('events_search_text_trgm_idx').using('gin', t.searchText.op('gin_trgm_ops')),
  ],
);

/**
 * The committed stream's head, one row (id 1): the last sequence assigned and the last received_at
 * stamped. Every ingest transaction takes the ingest advisory lock first and then updates this row, so
 * positions are consecutive in commit order and received_at never goes back, whatever the replicas'
 * clocks say. Kept with fillfactor 50 (hand edit) so its updates stay HOT.
 */
export const streamHead = pgTable(
  'stream_head',
  {
    id: smallint('id').primaryKey(),
    lastSequence: bigint('last_sequence', { mode: 'bigint' }).notNull(),
    lastReceivedAt: ms('last_received_at').notNull(),
  },
  (t) => [check('stream_head_one_row', sql`${t.id} = 1`)],
);

/**
 * Delivery ids of retained events, for dedupe: a unique index on the partitioned `events` would have to
 * include received_at, which would let the same delivery id be stored twice on two days. Written in the
 * ingest statement, under the ingest lock; a row goes when its event goes.
 */
export const eventDeliveryIds = pgTable(
  'event_delivery_ids',
  {
    deliveryId: text('delivery_id').primaryKey(),
    eventId: text('event_id').notNull(),
    receivedAt: ms('received_at').notNull(),
  },
  (t) => [index('event_delivery_ids_received_at_idx').on(t.receivedAt)],
);

/** One row per entity with a retained event, so entity lists need no GROUP BY over events. */
export const entities = pgTable(
  'entities',
  {
    id: text('id').primaryKey(),
    /** The entity type of the event received last. */
    entityType: text('entity_type').notNull(),
    lastReceivedAt: ms('last_received_at').notNull(),
  },
  (t) => [
    index('entities_last_received_at_id_idx').on(t.lastReceivedAt, t.id),
    index('entities_entity_type_last_received_at_id_idx').on(t.entityType, t.lastReceivedAt, t.id),
  ],
);

/** Refused deliveries: a bounded list (the newest `maxRejections`), purged by the retention rule. */
export const rejections = pgTable(
  'rejections',
  {
    id: text('id').primaryKey(),
    receivedAt: ms('received_at').notNull(),
    status: integer('status').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    issues: jsonb('issues').$type<ValidationIssue[]>().notNull(),
    headers: jsonb('headers').$type<Record<string, string>>(),
    raw: bytea('raw').notNull(),
    rawBytes: integer('raw_bytes').notNull(),
  },
  (t) => [index('rejections_received_at_id_idx').on(t.receivedAt, t.id)],
);

/**
 * Exact event counts per (bucket, entity type, action), at a minute and an hour (`size_ms`), kept by
 * statement triggers on `events` (migration 0000, hand edit) in the statement of every insert and
 * delete, so counts and `stats` read a few hundred rows instead of the events: hours wholly after the
 * cut-off, then minutes, then the events of the one minute that straddles it. Dropping a partition fires
 * no trigger: whoever retires a day deletes its rows here in the same step.
 */
export const eventCounts = pgTable(
  'event_counts',
  {
    sizeMs: integer('size_ms').notNull(),
    startMs: ms('start_ms').notNull(),
    entityType: text('entity_type').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] }).notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sizeMs, t.startMs, t.entityType, t.action] })],
);

/**
 * Events per (bucket, action) and per (bucket, entity type), as in SQLite's `traffic_splits`, kept by
 * the same statement triggers as `event_counts`: what `traffic` reads.
 */
export const trafficSplits = pgTable(
  'traffic_splits',
  {
    sizeMs: integer('size_ms').notNull(),
    splitBy: text('split_by', { enum: ['action', 'entity_type'] }).notNull(),
    /** The bucket's start (epoch ms), a multiple of `size_ms`. */
    startMs: ms('start_ms').notNull(),
    /** The action or the entity type, per `split_by`. */
    key: text('key').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sizeMs, t.splitBy, t.startMs, t.key] })],
);

/** Refused deliveries per bucket, at the same two sizes, kept by statement triggers on `rejections`. */
export const trafficRejections = pgTable(
  'traffic_rejections',
  {
    sizeMs: integer('size_ms').notNull(),
    startMs: ms('start_ms').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sizeMs, t.startMs] })],
);

// ---- Learned schemas (the same tables as SQLite's; written by schemas.ts) ---------------------------

/** The learned shape of one (entity type, action): its counts and its fields, in the order first seen. */
export const schemaShapes = pgTable(
  'schema_shapes',
  {
    entityType: text('entity_type').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] })
      .$type<Action>()
      .notNull(),
    eventCount: bigint('event_count', { mode: 'number' }).notNull(),
    firstSeenAt: ms('first_seen_at').notNull(),
    lastSeenAt: ms('last_seen_at').notNull(),
    fields: jsonb('fields').$type<StoredFieldShape[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityType, t.action] })],
);

/** Per hour, how many events of an (entity type, action) carried each field: the Schemas sparklines. */
export const schemaBuckets = pgTable(
  'schema_buckets',
  {
    entityType: text('entity_type').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] })
      .$type<Action>()
      .notNull(),
    startAt: ms('start_at').notNull(),
    counts: jsonb('counts').$type<Record<string, number>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.entityType, t.action, t.startAt] }),
    index('schema_buckets_start_at_idx').on(t.startAt),
  ],
);

/**
 * How far `schema_shapes` and `schema_buckets` have caught up (one row, id 1): they hold what every event
 * up to `learned_through_sequence` taught (SQLite's mark is a rowid; here the commit-order position).
 */
export const schemaLearningMark = pgTable('schema_learning_mark', {
  id: smallint('id').primaryKey(),
  learnedThroughSequence: bigint('learned_through_sequence', { mode: 'bigint' }).notNull(),
});

// ---- Deliveries ------------------------------------------------------------------------------------

/**
 * Delivery attempts of events. No foreign key: one to the partitioned `events` would need its whole
 * key (id, received_at) and would make retiring a partition check every referencing row; the removal
 * paths (deletes, eviction, retirement) delete an event's attempts themselves. `event_received_at`
 * lets those deletes and the cut-off join prune partitions.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull(),
    eventReceivedAt: ms('event_received_at').notNull(),
    source: text('source', { enum: ['cli', 'replay', 'forward'] }).notNull(),
    target: text('target').notNull(),
    attemptedAt: ms('attempted_at').notNull(),
    status: integer('status'),
    durationMs: integer('duration_ms').notNull(),
    responseBody: text('response_body'),
    responseTruncated: boolean('response_truncated').notNull(),
    error: text('error'),
  },
  (t) => [
    index('deliveries_event_id_attempted_at_id_idx').on(t.eventId, t.attemptedAt, t.id),
    index('deliveries_event_received_at_idx').on(t.eventReceivedAt),
  ],
);
