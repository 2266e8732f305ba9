import type { Action } from '../domain/types.js';
import type {
  DeleteReport,
  NewEvent,
  PurgeReport,
  StoreStats,
  StoredDelivery,
  StoredEvent,
  StoredRejection,
} from '../domain/records.js';
import type { EventQuery } from '../domain/event-query.js';
import type { Json, JsonObject } from '../domain/types.js';
import type { TypeCounts } from '../domain/schema-learning.js';

export type { EventQuery } from '../domain/event-query.js';
export type {
  CommittedEvent,
  DeleteReport,
  DeliverySource,
  NewEvent,
  PurgeReport,
  StoreStats,
  StoredDelivery,
  StoredEvent,
  StoredRejection,
} from '../domain/records.js';
export { DELETE_REPORT_MAX_IDS } from '../domain/records.js';

// The store contract: what every store (SQLite now, PostgreSQL next) promises, in domain types only.
// `server/test/store/contract.ts` checks every promise below against a real store.
//
// - Order. Lists are newest first by (receivedAtMs, id), both descending; `entityEvents` and
//   `listEventsOldestFirst` are oldest first by the same pair. Ids are ULIDs stamped by a clock that never goes back, so the pair is arrival order.
// - Sequence. Each committed (not duplicate) event gets `sequence`, its position in commit order: "1"
//   for the first event ever committed, then exactly one more per committed event, in the order the
//   commits become visible (a transaction that commits late never takes a position below one a reader
//   has already seen), with no gap between committed events. A duplicate gets no position: it answers
//   the original with the original's sequence. Deletes, purge and eviction leave holes, but a position
//   is never given out again (not after deleting the newest event, a purge of everything, or a reopen).
//   `eventsAfterSequence` reads the retained events in this order; `sequenceBounds` says which part of
//   it is still retained, so a live subscriber can tell whether it can resume from a position exactly.
// - Cursors. A `Keyset` is the (receivedAtMs, id) of the last row a page returned; the next page holds
//   the rows strictly after it in the list's order. Walking pages until `hasNextPage` is false visits
//   every matching row once, in order, and the matching count equals the rows walked.
// - Cut-off. Every read takes `cutoffMs` (epoch ms): rows received before it are never returned or
//   counted, whether or not maintenance has deleted them yet. (`lastReceivedAtMs` alone ignores it.)
// - Filters mean what `matchesEventQuery` (domain/event-query.ts) says; search is an ASCII
//   case-insensitive substring of the raw body, never a pattern.
// - Duplicates. An event whose `deliveryId` is already stored, or is earlier in the same commit, is not
//   stored again: the insert resolves with the original event and `duplicate: true`.
// - Eviction. A store given a cap on stored events removes, after each commit past it, the oldest events
//   by (receivedAtMs, id) and the entities left without an event, and reports it through `onEvicted`.
// - Purge. Maintenance deletes what is before the cut-off (events, refusals, entities left without an
//   event) and reports it through `onPurged`; reads never depend on it having run.
// - Deletes. `deleteEvents` removes one retained event by id, every retained event matching a query (the
//   same meaning as `listEvents`, as of the delete's start: events arriving meanwhile are kept), or every
//   retained event; with them the entities left without an event. Counts, search and entity rows (type
//   and time of the latest event left) follow in the same transactions. It is ordered with inserts (a
//   delete asked after an insert resolved removes it) and a large one runs in short steps, so webhooks
//   keep being committed in between. A deleted event's delivery id may be delivered again: the retry is
//   stored as a new event.
// - Learned schemas. Each stored (not duplicate) event is learned in arrival order, in its commit; its
//   `drift` is judged against the shape learned from the events stored before it. The learned shape
//   (paths, types, counts, times) outlives the events; an example value is read from its event only
//   while that event is retained (cut-off, purge, eviction, deletes), else it is undefined.
// - Traffic. `traffic` answers, for each bucket of `bucketMs` (aligned to the epoch) from the one holding
//   max(sinceMs, cutoffMs) to the one holding untilMs - 1, the retained events received in it (the bucket
//   that straddles the cut-off counts only those at or after it), split by action or entity type, and
//   the stored refusals received in it, from kept counts: never a scan of the events.
// - Failures. A store that cannot serve a call for a reason outside the program (disk full, read-only
//   file, I/O error, busy or unreachable database) rejects with `StoreUnavailableError`: nothing of the
//   call happened, and the same call may succeed later. Any other rejection is a bug, passed on as is.
// - Deliveries. A delivery attempt belongs to one retained event and goes with it through every removal
//   (purge, eviction, delete): `listDeliveries` never returns one whose event is gone or past the cut-off.
//   An event keeps its latest MAX_DELIVERIES_PER_EVENT attempts (domain/deliveries.ts); older ones go.

/** An entity: the type and arrival time of its latest retained event. */
export interface StoredEntity {
  id: string;
  entityType: string;
  lastReceivedAtMs: number;
}

/**
 * An entity's retained events, by their ends in arrival order. Events are only added after the last and,
 * by retention and eviction, only removed from the first, so equal ends mean the same events: a cached
 * fold's fingerprint, read in two index seeks instead of a count over 10,000 rows. A delete can remove
 * events from the middle: whoever caches by this fingerprint must drop what `deleteEvents` reports.
 */
export interface EntityBounds {
  firstId: string | null;
  lastId: string | null;
}

/** A position in a list: the (receivedAtMs, id) of the last row seen (for entities, lastReceivedAtMs). */
export interface Keyset {
  atMs: number;
  id: string;
}

/** A page of a newest-first list. */
export interface Page<T> {
  rows: T[];
  /** True when more rows match after the last one of `rows`. */
  hasNextPage: boolean;
}

/** A traffic question: bucket size one of TRAFFIC_BUCKET_SIZES_MS (domain/traffic.ts), at most
 * MAX_TRAFFIC_BUCKETS buckets (callers check both). */
export interface TrafficQuery {
  sinceMs: number;
  untilMs: number;
  bucketMs: number;
  splitBy: 'action' | 'entityType';
}

/** One bucket of {@link EventReader.traffic}. */
export interface TrafficBucket {
  /** The bucket's start (epoch ms), a multiple of the bucket size. */
  startMs: number;
  /** Retained events received in the bucket. */
  count: number;
  /** `count` by action or entity type, by key; keys with no event are left out. */
  split: { key: string; count: number }[];
  /** Stored refusals received in the bucket. */
  rejections: number;
}

/** The outcome of storing an event: a delivery id already stored gives back the original. */
export interface InsertResult {
  event: StoredEvent;
  duplicate: boolean;
  /**
   * For a new (not duplicate) event, read inside its commit: the `receivedAtMs` of its entity's latest
   * stored event before it, or null when the entity had none. Absent when the store does not say (the
   * fold cache then learns the entity from a read). Lets the committing process fold a new entity
   * without reading it back.
   */
  previousReceivedAtMs?: number | null;
}

/** Events removed by the stored-events cap (MAX_STORED_EVENTS) in one commit, oldest first. */
export interface Eviction {
  eventCount: number;
  /** Every event received before this instant (epoch ms) is gone (some at this instant may be too). */
  beforeMs: number;
}

/**
 * Thrown (as the rejection of a store call) when the store cannot serve it for a reason outside the
 * program: a full disk, a read-only file, an I/O error, a busy or unreachable database. Nothing of the
 * call happened; retrying later may succeed (the webhook answers 503 with Retry-After). `cause` is the
 * driver's error.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

/** One learned field of one (entity type, action), as read. Times are epoch ms. */
export interface LearnedField {
  /** See domain/schema-learning.ts for the path syntax (`owner.name`, `tags[]`). */
  path: string;
  /** Values seen of each JSON type (every element of an array counts). */
  types: TypeCounts;
  /** Events of this entity type and action that carried the field. */
  presentCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** The value in the latest event that carried it, while that event is retained; undefined once gone. */
  example: Json | undefined;
  /** Events that carried it per hour within the cut-off, oldest first (hours with none left out). */
  seen: { startMs: number; count: number }[];
}

/** What was learned about one action of an entity type. */
export interface LearnedAction {
  action: Action;
  eventCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** In the order first seen. */
  fields: LearnedField[];
}

/** The learned schema of one entity type: counts and times may outlive the events, examples never do. */
export interface LearnedSchema {
  entityType: string;
  /** In the order create, update, delete; only actions seen. */
  actions: LearnedAction[];
}

/** The reads: what REST, the resolvers and the fold cache receive. Every read applies the cut-off. */
export interface EventReader {
  getEvent(id: string, cutoffMs: number): Promise<StoredEvent | null>;
  /** Up to `first` matching events, newest first, after the cursor `after` (null: from the newest). */
  listEvents(
    query: EventQuery,
    first: number,
    after: Keyset | null,
    cutoffMs: number,
  ): Promise<Page<StoredEvent>>;
  /**
   * Up to `first` matching events, oldest first, strictly after `after` (null: from the oldest retained):
   * what an export walks, page by page, without holding more than a page. A walk visits the rows of a
   * full `listEvents` walk, in the reverse order.
   */
  listEventsOldestFirst(
    query: EventQuery,
    first: number,
    after: Keyset | null,
    cutoffMs: number,
  ): Promise<Page<StoredEvent>>;
  /** How many events match: the rows a full cursor walk of `listEvents` visits. */
  countEvents(query: EventQuery, cutoffMs: number): Promise<number>;
  /**
   * {@link countEvents} with its work bounded: exact whenever that is cheap (no search term, or few
   * matches), otherwise it stops after `atMost` matches or after a bounded number of candidates
   * (see {@link BoundedCount}). `atMost` is a positive integer.
   */
  countEventsAtMost(query: EventQuery, atMost: number, cutoffMs: number): Promise<BoundedCount>;
  /** Every retained event of an entity, oldest first, or only those strictly after `after`. */
  entityEvents(entityId: string, cutoffMs: number, after?: Keyset | null): Promise<StoredEvent[]>;
  /** The first and last ids of `entityEvents(entityId, cutoffMs)`, without reading the events. */
  entityBounds(entityId: string, cutoffMs: number): Promise<EntityBounds>;
  /** The latest `receivedAtMs` stored, expired or not (null when none is): arrivals are stamped after it. */
  lastReceivedAtMs(): Promise<number | null>;
  /** An entity with a retained event, as of its latest one. */
  getEntity(id: string, cutoffMs: number): Promise<StoredEntity | null>;
  /** Entities with a retained event, newest `lastReceivedAtMs` first; `entityType` null = any type. */
  listEntities(
    entityType: string | null,
    first: number,
    after: Keyset | null,
    cutoffMs: number,
  ): Promise<Page<StoredEntity>>;
  countEntities(entityType: string | null, cutoffMs: number): Promise<number>;
  /** Stored refusals, newest first. */
  listRejections(first: number, after: Keyset | null, cutoffMs: number): Promise<Page<StoredRejection>>;
  countRejections(cutoffMs: number): Promise<number>;
  stats(cutoffMs: number): Promise<StoreStats>;
  /** Every learned schema, by entity type name (empty when learning is off). */
  listSchemas(cutoffMs: number): Promise<LearnedSchema[]>;
  /** The learned schema of one entity type, or null when none of its events was learned. */
  getSchema(entityType: string, cutoffMs: number): Promise<LearnedSchema | null>;
  /** The delivery attempts of a retained event, oldest first by (attemptedAtMs, id); none for any other id. */
  listDeliveries(eventId: string, cutoffMs: number): Promise<StoredDelivery[]>;
  /** Every bucket of the window, oldest first, empty ones included (see Traffic above). */
  traffic(query: TrafficQuery, cutoffMs: number): Promise<TrafficBucket[]>;
  /**
   * Up to `limit` retained events with a sequence above `after` (a decimal integer string, "0" for
   * all), ascending by sequence (see Sequence above): what a resuming subscription replays.
   */
  eventsAfterSequence(after: string, limit: number, cutoffMs: number): Promise<StoredEvent[]>;
  /**
   * The lowest sequence of a retained event (null when none is retained) and the highest sequence ever
   * assigned ("0" when none was), whether or not its event is still retained.
   */
  sequenceBounds(cutoffMs: number): Promise<SequenceBounds>;
}

/**
 * What {@link EventReader.countEventsAtMost} answers. `exact`: `value` is the count. Otherwise the count
 * is at least `value` (at most the `atMost` asked for): `atMost` when more than `atMost` match, less when
 * the store stopped confirming candidates before finding that many.
 */
export interface BoundedCount {
  value: number;
  exact: boolean;
}

/** What {@link EventReader.sequenceBounds} answers. */
export interface SequenceBounds {
  firstRetained: string | null;
  last: string;
}

/** The writes: what the intake receives. */
export interface EventWriter {
  /**
   * Resolves once the event is durably stored (or found to be a duplicate). Concurrent calls share one
   * commit (group commit), each resolving only after it; if the commit fails, every call of it rejects
   * and none of it is stored. After the commit, the cap on stored events may evict the oldest. Callers
   * stamp `receivedAtMs` no earlier than any stored event's (the intake's clock never goes back).
   * `payload`, when given, is the body's payload as the caller parsed it (what `event.raw` parses to):
   * the store learns the schema from it instead of parsing the body a second time. The stored event
   * answered carries the `sequence` the store assigned in that commit (a duplicate: the original's).
   */
  insertEvent(event: NewEvent, payload?: JsonObject): Promise<InsertResult>;
  /** Resolves once stored; the store keeps the newest `maxRejections` refusals (a store option). */
  insertRejection(rejection: StoredRejection): Promise<void>;
  /**
   * Stores a delivery attempt of a retained event, committed like the inserts above (group commit).
   * Resolves false, storing nothing, when no event with `delivery.eventId` is retained at `cutoffMs`.
   */
  insertDelivery(delivery: StoredDelivery, cutoffMs: number): Promise<boolean>;
}

/** Which events a delete removes (always within the cut-off it is given). */
export type EventSelection =
  { kind: 'one'; id: string } | { kind: 'matching'; query: EventQuery } | { kind: 'all' };

/** The deletes a person asks for (GraphQL mutations, through the composition root's deleter). */
export interface EventDeleter {
  /**
   * Deletes the selected retained events (received at or after `cutoffMs`) and the entities left without
   * one; resolves after the last step's commit with what was removed (an unknown id removes nothing).
   */
  deleteEvents(selection: EventSelection, cutoffMs: number): Promise<DeleteReport>;
}

/** What the composition root tells a store's maintenance. */
export interface MaintenanceOptions {
  /** The retention cut-off in force (epoch ms), asked at the start of each purge. */
  cutoffMs: () => number;
  /** Time between purges (the first runs at start). */
  purgeIntervalMs: number;
  /** After a purge that removed something. */
  onPurged?: (report: PurgeReport) => void;
  /** After a commit whose events the stored-events cap evicted. */
  onEvicted?: (eviction: Eviction) => void;
  /** A maintenance step failed; it is tried again at its next turn. */
  onError?: (error: unknown) => void;
}

/** A store's running maintenance. */
export interface Maintenance {
  /** Purges everything before the cut-off now; after a purge already under way, runs another. */
  runNow(): Promise<PurgeReport>;
  /** Stops the timers, lets a running step finish and stops reporting. */
  stop(): Promise<void>;
}

/**
 * A whole store: reads, writes, and the upkeep it owns (deleting what is past the cut-off, evicting past
 * the cap, and whatever its engine needs besides: index upkeep, space release), paced its own way so that
 * webhooks and reads never wait long behind it, and reported through the same callbacks for every store.
 */
export interface EventStore extends EventReader, EventWriter, EventDeleter {
  /** Starts maintenance (once per store). */
  startMaintenance(options: MaintenanceOptions): Maintenance;
  /** Commits what is queued, then closes. Stop the maintenance first. */
  close(): Promise<void>;
  /**
   * A cheap round trip to the database (readiness, `/readyz`): resolves when it answers, rejects when it
   * cannot be reached. Optional: a store with no connection to lose (SQLite in the process) leaves it out.
   */
  ping?(): Promise<void>;
}
