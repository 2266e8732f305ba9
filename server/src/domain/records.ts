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
  /**
   * Schema drift warnings, decided by the store at arrival against the shape learned from the events
   * stored before it (null or absent: none). A value given to `insertEvent` is ignored.
   */
  drift?: string[] | null;
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
