import type { ErrorCode } from '../api/errors.js';
import type { Clock } from '../shared/clock.js';
import { parseWebhookBody } from '../domain/validate.js';
import type { ValidationIssue } from '../domain/types.js';
import type { Live } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import { DELIVERY_ID_HEADERS, MAX_DELIVERY_ID_CHARS, deliveryIdOf } from './sender-headers.js';
import type { CommittedEvent } from '../domain/records.js';
import type { EventWriter, NewEvent, StoredEvent, StoredRejection } from '../store/types.js';

/** Request headers as Node gives them (lower-case names). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** One delivery to the intake. */
export interface Delivery {
  raw: Buffer;
  headers: RequestHeaders;
}

/** An error answer: a code a client can act on, a message, and where the body broke a rule. */
export interface IntakeError {
  code: ErrorCode;
  message: string;
  issues: ValidationIssue[];
}

/** What the intake did with a delivery. */
export type IntakeOutcome =
  | { kind: 'stored'; event: StoredEvent }
  | { kind: 'duplicate'; event: StoredEvent }
  | { kind: 'refused'; status: number; error: IntakeError; rejectionId: string };

/** Body bytes kept of a refused delivery. */
export const REJECTION_RAW_CAP_BYTES = 64 * 1024;

// Credentials never belong in stored evidence; signatures do (they are what a person debugs).
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);
const MAX_HEADERS = 64;
const MAX_HEADER_VALUE_CHARS = 2_048;

/** The request headers kept with an event or a refusal: all but credentials, bounded in number and size. */
export function selectHeaders(headers: RequestHeaders): Record<string, string> {
  const kept: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    if (++count > MAX_HEADERS) break;
    const text = Array.isArray(value) ? value.join(', ') : value;
    kept[name.toLowerCase()] =
      text.length > MAX_HEADER_VALUE_CHARS ? text.slice(0, MAX_HEADER_VALUE_CHARS) : text;
  }
  return kept;
}

/** The one intake path (HTTP, mock generator and mutation all use it): validate → store → publish. */
export interface Ingest {
  /**
   * Validates and stores a delivery; resolves after the commit. Rejects with the store's error as it is:
   * a `StoreUnavailableError` (retry later) or any other error (a bug).
   */
  accept(delivery: Delivery): Promise<IntakeOutcome>;
  /** Records a delivery refused before its body could be judged (wrong content type, too large, bad signature). */
  refuse(
    delivery: Delivery,
    status: number,
    error: IntakeError,
  ): Promise<IntakeOutcome & { kind: 'refused' }>;
}

/** What the intake needs. */
export interface IngestDeps {
  store: EventWriter;
  live: Live<LiveTopics>;
  clock: Clock;
  newId: () => string;
  /**
   * What follows a commit of a new event, with what the intake knows of it (its parsed payload and the
   * entity's previous arrival, for the fold cache). By default the intake publishes it to `eventAdded`
   * itself (one process: the commit is the stream). Among replicas the tailer publishes every replica's
   * events in one order instead, and this only wakes it.
   */
  onCommitted?: (committed: CommittedEvent) => void;
}

/** Creates the intake. */
export function createIngest({ store, live, clock, newId, onCommitted }: IngestDeps): Ingest {
  const committed = onCommitted ?? (({ event }: CommittedEvent) => live.publish('eventAdded', event));
  async function refuse(
    delivery: Delivery,
    status: number,
    error: IntakeError,
  ): Promise<IntakeOutcome & { kind: 'refused' }> {
    const rejection: StoredRejection = {
      id: newId(),
      receivedAtMs: clock.now(),
      status,
      code: error.code,
      message: error.message,
      issues: error.issues,
      headers: selectHeaders(delivery.headers),
      raw: delivery.raw.subarray(0, REJECTION_RAW_CAP_BYTES),
      rawBytes: delivery.raw.length,
    };
    try {
      await store.insertRejection(rejection);
      live.publish('rejectionAdded', rejection);
    } catch {
      // The refusal is answered either way; losing its record is better than turning a 4xx into a 503.
    }
    return { kind: 'refused', status, error, rejectionId: rejection.id };
  }

  return {
    refuse,
    async accept(delivery) {
      // The sender's own id (webhook-id, svix-id or X-GitHub-Delivery): a retry or redelivery repeats it.
      const deliveryId = deliveryIdOf(delivery.headers);
      if (deliveryId !== null && deliveryId.length > MAX_DELIVERY_ID_CHARS) {
        const message = `the delivery id (${DELIVERY_ID_HEADERS.join(', ')}) must be at most ${MAX_DELIVERY_ID_CHARS} characters, got ${deliveryId.length}`;
        return refuse(delivery, 400, { code: 'BAD_REQUEST', message, issues: [] });
      }
      const parsed = parseWebhookBody(delivery.raw);
      if (!parsed.ok) {
        return refuse(delivery, parsed.status, {
          code: parsed.code,
          message: parsed.message,
          issues: parsed.issues,
        });
      }
      const { event } = parsed;
      const stored: NewEvent = {
        id: newId(),
        receivedAtMs: clock.now(),
        timeMs: event.timeMs,
        action: event.action,
        entityType: event.entityType,
        entityId: event.entityId,
        modifiedFields: event.modifiedFields,
        deliveryId,
        headers: selectHeaders(delivery.headers),
        raw: delivery.raw,
      };
      // The store classifies its failures (StoreUnavailableError or a bug): passed on as they are.
      // The payload as parsed here: the store's schema learner need not parse the body again.
      const result = await store.insertEvent(stored, event.payload);
      if (result.duplicate) return { kind: 'duplicate', event: result.event };
      committed({
        event: result.event,
        payload: event.payload,
        ...(result.previousReceivedAtMs !== undefined && {
          previousReceivedAtMs: result.previousReceivedAtMs,
        }),
      });
      return { kind: 'stored', event: result.event };
    },
  };
}
