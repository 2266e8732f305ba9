import { sql } from 'drizzle-orm';
import type { Action, ValidationIssue } from '../../domain/types.js';
import type { StoredFieldShape } from '../learned-shapes.js';
import {
  blob,
  customType,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/**
 * An event's position (`StoredEvent.sequence`): an INTEGER in the file, so it sorts and seeks as a number,
 * and the decimal string of the contract in the program. 2^53 positions are more than any store will assign.
 */
const sequenceColumn = customType<{ data: string; driverData: number }>({
  dataType: () => 'integer',
  toDriver: (value) => Number(value),
  fromDriver: (value) => String(value),
});

/**
 * Stored webhook events. Times are epoch milliseconds. `raw` holds the exact request body: re-serialized
 * JSON would lose duplicate keys, big integers and lone surrogates, and the raw bytes are the evidence.
 * Every list the API offers is newest first with a keyset on (received_at, id), so each filter has an
 * index ending in exactly those columns.
 */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    /**
     * The position in commit order, from `event_sequence` (see there). The default only lets SQLite add
     * the column to existing rows (migration 0010 then numbers them); every insert sets it.
     */
    sequence: sequenceColumn('sequence')
      .notNull()
      .default(sql`0`),
    receivedAt: integer('received_at').notNull(),
    time: integer('time').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] }).notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** JSON array of strings, or null when the body had none. */
    modifiedFields: text('modified_fields', { mode: 'json' }).$type<string[]>(),
    deliveryId: text('delivery_id'),
    /** JSON object of selected request headers. */
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>(),
    raw: blob('raw', { mode: 'buffer' }).notNull(),
    /** Learned schemas: the drift warnings decided at arrival (JSON array), null when none. */
    drift: text('drift', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [
    index('events_received_at_id_idx').on(t.receivedAt, t.id),
    // A resuming subscription's replay and the lowest retained position: one seek each.
    uniqueIndex('events_sequence_idx').on(t.sequence),
    // Learned schemas: the stream's "drift only" filter, over the few rows that have drift.
    index('events_drift_received_at_id_idx')
      .on(t.receivedAt, t.id)
      .where(sql`${t.drift} IS NOT NULL`),
    index('events_action_received_at_id_idx').on(t.action, t.receivedAt, t.id),
    index('events_entity_type_received_at_id_idx').on(t.entityType, t.receivedAt, t.id),
    index('events_entity_id_received_at_id_idx').on(t.entityId, t.receivedAt, t.id),
    uniqueIndex('events_delivery_id_idx')
      .on(t.deliveryId)
      .where(sql`${t.deliveryId} IS NOT NULL`),
  ],
);

/**
 * The last position given out (one row, id 1): `events.sequence` comes from here, not from the rowid or
 * MAX(sequence), because both go back when the newest events are deleted (a delete, a purge of
 * everything, the cap), and a position, once a subscriber may have seen it, must never be given again.
 * The group commit reads it once and writes it once per transaction, so positions follow commit order
 * with no gap (SQLite has one writer at a time: the order of the transactions is the order of commits).
 */
export const eventSequence = sqliteTable('event_sequence', {
  id: integer('id').primaryKey(),
  last: integer('last').notNull(),
});

/** One row per entity with a retained event, so entity lists need no GROUP BY over events. */
export const entities = sqliteTable(
  'entities',
  {
    id: text('id').primaryKey(),
    /** The entity type of the event received last. */
    entityType: text('entity_type').notNull(),
    lastReceivedAt: integer('last_received_at').notNull(),
  },
  (t) => [
    index('entities_last_received_at_id_idx').on(t.lastReceivedAt, t.id),
    index('entities_entity_type_last_received_at_id_idx').on(t.entityType, t.lastReceivedAt, t.id),
  ],
);

/** Refused deliveries: a bounded list, purged by the same retention rule as events. */
export const rejections = sqliteTable(
  'rejections',
  {
    id: text('id').primaryKey(),
    receivedAt: integer('received_at').notNull(),
    status: integer('status').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    /** JSON array of { path, message }. */
    issues: text('issues', { mode: 'json' }).$type<ValidationIssue[]>().notNull(),
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>(),
    /** The body up to a cap. */
    raw: blob('raw', { mode: 'buffer' }).notNull(),
    rawBytes: integer('raw_bytes').notNull(),
  },
  (t) => [index('rejections_received_at_id_idx').on(t.receivedAt, t.id)],
);

/**
 * Exact event counts per (entity type, action), kept by triggers on `events` in the same transaction as
 * every insert and delete (migration 0002), so `totalCount` and `stats` never scan the events table.
 * Expired rows not yet purged are still counted here: readers subtract them with a range count over
 * `events_received_at_id_idx`, which only covers rows older than the cut-off.
 */
export const eventCounts = sqliteTable(
  'event_counts',
  {
    entityType: text('entity_type').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityType, t.action] })],
);

/**
 * The search index's buckets (migration 0004; the FTS5 tables are created by the indexing step in
 * search.ts). Bucket `id` is the trigram table `events_search_<id>`; the highest id is the one the
 * indexing step fills. Counts and received-time bounds are kept by that step, so a query can skip
 * buckets outside its range and the purge can drop a bucket once no stored event can be in it.
 */
export const searchBuckets = sqliteTable('search_buckets', {
  id: integer('id').primaryKey(),
  rowCount: integer('row_count').notNull().default(0),
  minReceivedAt: integer('min_received_at'),
  maxReceivedAt: integer('max_received_at'),
});

/**
 * The search index's high-water mark (one row, id 1): every stored event with a rowid at or below
 * `indexed_rowid` is in a bucket; the rows above it are LIKE-scanned by queries until the indexing step
 * reaches them (see search.ts).
 */
export const searchState = sqliteTable('search_state', {
  id: integer('id').primaryKey(),
  indexedRowid: integer('indexed_rowid').notNull().default(0),
});

// ---- Learned schemas (house-schemas) -------------------------------------------------------------
// The learned shape outlives the events it was learned from (names, types, counts, times); example values
// do not: a field names the event that carries its example, and reads take the value from that event
// only while it is retained. Drift warnings live in `events.drift`, so they go with their event.

/**
 * The learned shape of one (entity type, action): its counts and its fields (a JSON array, in the order
 * first seen). Written by a group commit at most once a second (see `schema_learning_mark`).
 */
export const schemaShapes = sqliteTable(
  'schema_shapes',
  {
    entityType: text('entity_type').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] })
      .$type<Action>()
      .notNull(),
    eventCount: integer('event_count').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    fields: text('fields', { mode: 'json' }).$type<StoredFieldShape[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityType, t.action] })],
);

/**
 * Per hour, how many events of an (entity type, action) carried each field (`counts`: JSON object by
 * path): the Schemas view's sparklines. Hours before the retention cut-off are deleted by the purge.
 */
export const schemaBuckets = sqliteTable(
  'schema_buckets',
  {
    entityType: text('entity_type').notNull(),
    action: text('action', { enum: ['create', 'update', 'delete'] })
      .$type<Action>()
      .notNull(),
    startAt: integer('start_at').notNull(),
    counts: text('counts', { mode: 'json' }).$type<Record<string, number>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.entityType, t.action, t.startAt] }),
    index('schema_buckets_start_at_idx').on(t.startAt),
  ],
);
/**
 * How far `schema_shapes` and `schema_buckets` have caught up (one row, id 1): they hold what every event
 * up to rowid `learned_through_rowid` taught. The writer writes what it learned at most once a second, so
 * the events after this rowid (all stored while learning was on) are learned again from their rows at
 * open: a crash loses no learning. No row: nothing to learn again (learning off, or a database from
 * before this table).
 */
export const schemaLearningMark = sqliteTable('schema_learning_mark', {
  id: integer('id').primaryKey(),
  learnedThroughRowid: integer('learned_through_rowid').notNull(),
});
// ---- end of learned schemas ----------------------------------------------------------------------

// --- deliveries (issue 13, forward and replay) ------------------------------------------------------
/**
 * Delivery attempts of events (forward CLI, replay, FORWARD_TO). Derived data: the foreign key's
 * ON DELETE CASCADE removes an event's attempts in the statement that removes the event, whichever path
 * that is (purge, eviction, delete), so no removal path has to know about this table. The index starts
 * with `event_id`: it serves the per-event list and the cascade's lookup of each deleted event.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    source: text('source', { enum: ['cli', 'replay', 'forward'] }).notNull(),
    target: text('target').notNull(),
    attemptedAt: integer('attempted_at').notNull(),
    status: integer('status'),
    durationMs: integer('duration_ms').notNull(),
    responseBody: text('response_body'),
    responseTruncated: integer('response_truncated', { mode: 'boolean' }).notNull(),
    error: text('error'),
  },
  (t) => [index('deliveries_event_id_attempted_at_id_idx').on(t.eventId, t.attemptedAt, t.id)],
);
// --- end deliveries ---------------------------------------------------------------------------------

// ---- Traffic counts (issue 14 §2, the traffic chart) -------------------------------------------------

/**
 * Events per (bucket, action) and per (bucket, entity type) — `split_by` names which, `key` is the action
 * or entity type — at two bucket sizes (`size_ms`: a minute and an hour), kept by triggers on `events` in
 * the same transaction as every insert and delete (see the traffic migrations), so `traffic` reads a few
 * rows per bucket (3 actions, or the entity types) instead of counting events, and every removal path
 * (purge, eviction, deletes) keeps them exact. Not the cross product (entity type × action): no query
 * splits by both, and a split by one would read every pair (docs/performance.md, "Traffic query at 1M
 * events"). Like `event_counts`, rows past the cut-off that the purge has not deleted yet are still
 * counted: the reader subtracts them in the one bucket that straddles the cut-off. WITHOUT ROWID in the
 * migration (drizzle has no word for it): reads are ranges of the primary key.
 */
export const trafficSplits = sqliteTable(
  'traffic_splits',
  {
    sizeMs: integer('size_ms').notNull(),
    splitBy: text('split_by', { enum: ['action', 'entity_type'] }).notNull(),
    /** The bucket's start (epoch ms), a multiple of `size_ms`. */
    startMs: integer('start_ms').notNull(),
    /** The action or the entity type, per `split_by`. */
    key: text('key').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sizeMs, t.splitBy, t.startMs, t.key] })],
);

/** Refused deliveries per bucket, at the same two sizes, kept by triggers on `rejections` likewise. */
export const trafficRejections = sqliteTable(
  'traffic_rejections',
  {
    sizeMs: integer('size_ms').notNull(),
    startMs: integer('start_ms').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sizeMs, t.startMs] })],
);
