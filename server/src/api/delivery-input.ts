import { MAX_DELIVERY_ERROR_CHARS, MAX_TARGET_CHARS, type DeliveryReport } from '../domain/deliveries.js';
import { InputError } from './errors.js';

/** A delivery as GraphQL's DeliveryInput gives it. */
export interface DeliveryInputFields {
  eventId: string;
  target: string;
  status?: number | null;
  durationMs: number;
  responseBody?: string | null;
  error?: string | null;
}

/** The longest attempt a report may claim: a day, far past any sender's timeout. */
const MAX_DURATION_MS = 24 * 3_600_000;

/** Whether `text` is an absolute http(s) URL. */
function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * Checks a reported delivery; a wrong field throws an InputError naming `${prefix}<field>`. An over-long
 * response body is not an error: the recorder keeps its first 64 KiB and marks it truncated.
 */
export function toDeliveryReport(
  input: DeliveryInputFields,
  prefix = 'input.',
): Omit<DeliveryReport, 'source'> {
  if (input.eventId === '') throw new InputError(`${prefix}eventId`, 'must not be empty');
  if (input.target.length > MAX_TARGET_CHARS || !isHttpUrl(input.target)) {
    throw new InputError(
      `${prefix}target`,
      `must be an absolute http(s) URL of at most ${MAX_TARGET_CHARS} characters`,
    );
  }
  const status = input.status ?? null;
  if (status !== null && (!Number.isInteger(status) || status < 100 || status > 599)) {
    throw new InputError(`${prefix}status`, 'must be an HTTP status between 100 and 599, or null');
  }
  if (!Number.isInteger(input.durationMs) || input.durationMs < 0 || input.durationMs > MAX_DURATION_MS) {
    throw new InputError(
      `${prefix}durationMs`,
      `must be a whole number of ms between 0 and ${MAX_DURATION_MS}`,
    );
  }
  const error = input.error ?? null;
  if (status === null && (error === null || error === '')) {
    throw new InputError(`${prefix}error`, 'must say why no answer came when status is null');
  }
  if (error !== null && error.length > MAX_DELIVERY_ERROR_CHARS) {
    throw new InputError(`${prefix}error`, `must be at most ${MAX_DELIVERY_ERROR_CHARS} characters`);
  }
  return {
    eventId: input.eventId,
    target: input.target,
    status,
    durationMs: input.durationMs,
    responseBody: input.responseBody ?? null,
    error,
  };
}
