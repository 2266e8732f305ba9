import type { Action, ValidationIssue } from './types.js';

// The records of what arrived, as every store keeps them and the live hub carries them after the commit:
// domain types, so that the store contract, the live topics and the views share one definition.

/** An event as stored (accepted, committed). Times are epoch milliseconds. */
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

/** What one purge removed: every event and refusal received before `beforeMs`. */
export interface PurgeReport {
  eventCount: number;
  rejectionCount: number;
  /** The cut-off the purge applied (epoch ms). */
  beforeMs: number;
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
