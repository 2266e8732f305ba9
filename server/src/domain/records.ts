import type { Action, JsonObject, ValidationIssue } from './types.js';

// The records of what arrived, as every store keeps them and the live hub carries them after the commit:
// domain types, so that the store contract, the live topics and the views share one definition.

/** An event as stored (accepted, committed). Times are epoch milliseconds. */
export interface StoredEvent {
  id: string;
  /**
   * The event's position in commit order, a decimal integer string: "1" for the first event ever
   * committed, each committed event exactly one more than the one committed before it. Never reused
   * (deletes, purge and eviction leave holes). Compare as integers, not as strings.
   */
  sequence: string;
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
  /**
   * Schema drift warnings, decided by the store at arrival against the shape learned from the events
   * stored before it (null or absent: none). A value given to `insertEvent` is ignored.
   */
  drift?: string[] | null;
}

/** An event as the intake hands it to `insertEvent`: the store assigns `sequence` and decides `drift`. */
export type NewEvent = Omit<StoredEvent, 'sequence' | 'drift'> & { drift?: string[] | null };

/**
 * A committed event as the process that committed it knows it: the fold cache extends its entity with
 * it (read/entities.ts `apply`) and computes its `changes` and `warnings` once, for the live path.
 */
export interface CommittedEvent {
  event: StoredEvent;
  /** The body's payload as the intake parsed it (what `event.raw` parses to). */
  payload: JsonObject;
  /**
   * The `receivedAtMs` of the entity's latest stored event before this one, from inside the commit:
   * null when the entity had none, undefined when the store does not say (see `InsertResult`).
   */
  previousReceivedAtMs?: number | null;
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

/** What one purge removed: every event and refusal received before `beforeMs`. */
export interface PurgeReport {
  eventCount: number;
  rejectionCount: number;
  /** The cut-off the purge applied (epoch ms). */
  beforeMs: number;
}

/** What the store counts for `stats`, all of it within the cut-off (and what `statsChanged` carries). */
export interface StoreStats {
  totalEvents: number;
  totalEntities: number;
  totalRejections: number;
  /** Largest count first, then by name. */
  byEntityType: { entityType: string; count: number }[];
  /** By action name. */
  byAction: { action: Action; count: number }[];
  oldestReceivedAtMs: number | null;
  newestReceivedAtMs: number | null;
}

/** Most ids a {@link DeleteReport} lists; beyond it the lists are null and views reload instead. */
export const DELETE_REPORT_MAX_IDS = 1_000;

/** What one delete (one event, a selection, or all) removed: as `eventsDeleted` carries it. */
export interface DeleteReport {
  eventCount: number;
  /** The ids of the events removed, or null when more than {@link DELETE_REPORT_MAX_IDS} were. */
  eventIds: string[] | null;
  /**
   * The entities that lost an event (their fold changed, or they are gone), or null when more than
   * {@link DELETE_REPORT_MAX_IDS} did.
   */
  entityIds: string[] | null;
}

/** Who made a delivery attempt: the forward CLI, a replay, or the FORWARD_TO job. */
export type DeliverySource = 'cli' | 'replay' | 'forward';

/**
 * One attempt to send a stored event to a target, and how the target answered. Derived from its event:
 * it goes when the event goes (purge, eviction, delete). Times are epoch milliseconds.
 */
export interface StoredDelivery {
  id: string;
  eventId: string;
  source: DeliverySource;
  target: string;
  attemptedAtMs: number;
  /** The HTTP status answered; null when no answer came (see `error`). */
  status: number | null;
  durationMs: number;
  /** The answer's body, already capped (see `responseTruncated`). */
  responseBody: string | null;
  responseTruncated: boolean;
  /** Why no (complete) answer came; null when one did. */
  error: string | null;
}
