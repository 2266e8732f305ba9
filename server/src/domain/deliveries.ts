import type { EventQuery } from './event-query.js';
import type { DeliverySource, StoredDelivery } from './records.js';

/** The most of an answer's body a delivery keeps, in UTF-8 bytes (the CLI and the server alike). */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;
/** The most of an error message a delivery keeps, in characters. */
export const MAX_DELIVERY_ERROR_CHARS = 2_048;
/** The longest target URL a delivery names, in characters. */
export const MAX_TARGET_CHARS = 2_048;

/** A delivery attempt as its maker reports it: the recorder stamps its id and caps the body. */
export interface DeliveryReport {
  eventId: string;
  source: DeliverySource;
  target: string;
  /** When the attempt began (epoch ms); absent in a report that arrives afterwards (the CLI's): the
   * recorder then takes its arrival minus `durationMs`. */
  attemptedAtMs?: number;
  status: number | null;
  durationMs: number;
  responseBody: string | null;
  /** True when the maker already cut the body (it read no more than the cap). */
  responseTruncated?: boolean;
  error: string | null;
}

/** `text` cut to at most `maxBytes` of UTF-8 without splitting a character, and whether it was cut. */
export function capUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return { text, truncated: false };
  const bytes = Buffer.from(text, 'utf8').subarray(0, maxBytes);
  // Back off continuation bytes (10xxxxxx) and the lead byte they follow, so no character is split.
  let end = bytes.length;
  let back = end - 1;
  while (back >= 0 && ((bytes[back] ?? 0) & 0xc0) === 0x80) back--;
  if (back >= 0) {
    const lead = bytes[back] ?? 0;
    const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (back + size > end) end = back;
  }
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

/** The stored form of a report: body capped at {@link MAX_RESPONSE_BODY_BYTES}, error at its cap. */
export function toStoredDelivery(
  id: string,
  report: DeliveryReport & { attemptedAtMs: number },
): StoredDelivery {
  const body = report.responseBody === null ? null : capUtf8(report.responseBody, MAX_RESPONSE_BODY_BYTES);
  return {
    id,
    eventId: report.eventId,
    source: report.source,
    target: report.target,
    attemptedAtMs: report.attemptedAtMs,
    status: report.status,
    durationMs: report.durationMs,
    responseBody: body?.text ?? null,
    responseTruncated: (report.responseTruncated ?? false) || (body?.truncated ?? false),
    error: report.error === null ? null : report.error.slice(0, MAX_DELIVERY_ERROR_CHARS),
  };
}

/** Stores delivery attempts and tells live readers (the composition root wires one for every maker). */
export interface DeliveryRecorder {
  /** Stores the attempt (capped) and publishes it once committed; null when its event is not retained. */
  record(report: DeliveryReport): Promise<StoredDelivery | null>;
}

/** Which events a replay sends: exactly one of these. */
export type ReplaySelection =
  | { kind: 'ids'; ids: readonly string[] }
  | { kind: 'filter'; query: EventQuery }
  | { kind: 'entity'; entityId: string };

/** Why a replay was refused before anything was sent; `argument` names the argument at fault. */
export interface ReplayRefusal {
  kind: 'refused';
  reason: 'target-invalid' | 'target-not-allowed' | 'not-found' | 'too-many-events' | 'busy';
  argument: string;
  message: string;
}

/** Where a replay stands when its answer is made; attempts after it are published as they are recorded. */
export interface ReplaySummary {
  kind: 'summary';
  /** The target as parsed (what every attempt names). */
  target: string;
  /** Events chosen, in the order they are sent. */
  eventCount: number;
  /** Attempts recorded so far. */
  attempted: number;
  /** Of those, answered 2xx. */
  succeeded: number;
  /** Of those, answered otherwise or not at all. */
  failed: number;
  /** Events not sent because they expired (or were deleted) before their turn. */
  skipped: number;
  /** True when every chosen event was dealt with before the answer. */
  complete: boolean;
  /** The attempts recorded so far, in order. */
  deliveries: StoredDelivery[];
}

/** Sends chosen events to a target, in order, recording each attempt. */
export interface Replayer {
  replay(selection: ReplaySelection, target: string): Promise<ReplaySummary | ReplayRefusal>;
}
