import type { Action, ValidationIssue } from '../domain/types.js';

/** An event as stored. Times are epoch milliseconds. */
export interface StoredEvent {
  id: string;
  receivedAtMs: number;
  timeMs: number;
  action: Action;
  entityType: string;
  entityId: string;
  modifiedFields: string[] | null;
  deliveryId: string | null;
  headers: Record<string, string> | null;
  /** The exact request body. */
  raw: Buffer;
}

/** A refused delivery as stored. */
export interface StoredRejection {
  id: string;
  receivedAtMs: number;
  status: number;
  code: string;
  message: string;
  issues: ValidationIssue[];
  headers: Record<string, string> | null;
  /** The body up to the cap. */
  raw: Buffer;
  /** The full body size. */
  rawBytes: number;
}

/** An entity's row: enough to list entities without scanning events. */
export interface StoredEntity {
  id: string;
  entityType: string;
  lastReceivedAtMs: number;
}

/**
 * An entity's retained events, by their ends in arrival order. Events are only added after the last and
 * only removed from the first (retention, eviction), so equal ends mean the same events: a cached fold's
 * fingerprint, read in two index seeks instead of a count over 10,000 rows.
 */
export interface EntityBounds {
  firstId: string | null;
  lastId: string | null;
}

/** A position in a newest-first list: the (received_at, id) of the last row seen. */
export interface Keyset {
  atMs: number;
  id: string;
}

/** Filters over events; every given field must match. */
export interface EventQuery {
  action?: Action | null;
  entityType?: string | null;
  entityId?: string | null;
  /** received_at >= sinceMs */
  sinceMs?: number | null;
  /** received_at < untilMs */
  untilMs?: number | null;
  /** Case-insensitive substring of the raw body. */
  search?: string | null;
}

/** A page of a newest-first list. */
export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
}

/** What the store counts for `stats`. */
export interface StoreStats {
  totalEvents: number;
  totalEntities: number;
  totalRejections: number;
  byEntityType: { entityType: string; count: number }[];
  byAction: { action: Action; count: number }[];
  oldestReceivedAtMs: number | null;
  newestReceivedAtMs: number | null;
}

/** The outcome of storing an event: a `webhook-id` already stored gives back the original. */
export interface InsertResult {
  event: StoredEvent;
  duplicate: boolean;
}

/** Rows removed by one purge step. */
export interface PurgeStep {
  events: number;
  rejections: number;
  /** True when nothing expired is left (as of this step's cut-off). */
  done: boolean;
  /** True when the step dropped a stale search-index bucket (space to give back) instead of rows. */
  indexDropped?: boolean;
}

/** What one {@link Store.indexStep} did. */
export interface IndexStep {
  /** Rows indexed. */
  rows: number;
  /** True when every stored row is indexed (as of this step). */
  done: boolean;
}

/**
 * The only door to persistence. Promise-based although SQLite answers synchronously, so that a
 * PostgreSQL implementation can slot in without touching callers. Reads take the retention cut-off
 * (epoch ms) so that nothing older than it is ever returned, even between two purges.
 */
export interface Store {
  /** Resolves once the event is committed to disk (group commit: one transaction per event-loop turn). */
  insertEvent(event: StoredEvent): Promise<InsertResult>;
  /** Resolves once committed; keeps at most `maxRejections`, dropping the oldest. */
  insertRejection(rejection: StoredRejection): Promise<void>;
  getEvent(id: string, cutoffMs: number): Promise<StoredEvent | null>;
  listEvents(
    query: EventQuery,
    first: number,
    after: Keyset | null,
    cutoffMs: number,
  ): Promise<Page<StoredEvent>>;
  countEvents(query: EventQuery, cutoffMs: number): Promise<number>;
  /** Every retained event of an entity in arrival order, or only those that arrived after `after`. */
  entityEvents(entityId: string, cutoffMs: number, after?: Keyset | null): Promise<StoredEvent[]>;
  /** The first and last of an entity's retained events in arrival order: two index seeks. */
  entityBounds(entityId: string, cutoffMs: number): Promise<EntityBounds>;
  /** The latest `received_at` stored (expired or not), or null when no event is stored. */
  lastReceivedAtMs(): Promise<number | null>;
  getEntity(id: string, cutoffMs: number): Promise<StoredEntity | null>;
  listEntities(
    entityType: string | null,
    first: number,
    after: Keyset | null,
    cutoffMs: number,
  ): Promise<Page<StoredEntity>>;
  countEntities(entityType: string | null, cutoffMs: number): Promise<number>;
  listRejections(first: number, after: Keyset | null, cutoffMs: number): Promise<Page<StoredRejection>>;
  countRejections(cutoffMs: number): Promise<number>;
  stats(cutoffMs: number): Promise<StoreStats>;
  /**
   * Deletes expired events (and expired rejections and entities) in one short transaction: chunks of
   * `batchSize` rows until nothing expired is left or `maxMs` of work is spent (at least one chunk).
   */
  purgeStep(cutoffMs: number, batchSize: number, maxMs?: number): Promise<PurgeStep>;
  /**
   * Indexes stored events for search, oldest not yet indexed first, in one transaction, until none is
   * left or `maxMs` of work is spent. Queries are exact whether or not it has caught up; it only makes
   * searches faster. A store whose index needs no upkeep answers `{ rows: 0, done: true }`.
   */
  indexStep(maxMs: number): Promise<IndexStep>;
  /** Gives free pages back to the file system, a few at a time. Resolves to the pages released. */
  releaseSpace(maxPages: number): Promise<number>;
  /** Commits what is queued, then closes. */
  close(): Promise<void>;
}
