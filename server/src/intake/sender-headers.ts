import type { RequestHeaders } from './ingest.js';

/** The two header prefixes of Standard Webhooks: the specification's own, and Svix's (its largest sender). */
export const STANDARD_PREFIXES = ['webhook', 'svix'] as const;
/** One of {@link STANDARD_PREFIXES}. */
export type StandardPrefix = (typeof STANDARD_PREFIXES)[number];

/**
 * The headers that carry a sender's own delivery id, the first present one winning: the Standard Webhooks
 * id (the same order as {@link standardPrefixOf}, so the id deduplicated is the one the signature covered),
 * then GitHub's. Retries and redeliveries repeat it, which is what makes it a dedupe key.
 */
export const DELIVERY_ID_HEADERS = ['webhook-id', 'svix-id', 'x-github-delivery'] as const;

/** A header's value, trimmed; null when absent or blank (repeated headers are joined by a space). */
export function headerText(headers: RequestHeaders, name: string): string | null {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(' ') : value;
  return text === undefined || text.trim() === '' ? null : text.trim();
}

/**
 * Which Standard Webhooks prefix a delivery uses: `webhook-*` when any of its three headers is present,
 * else `svix-*` when any of those is, else `webhook` (the specification's, named in a refusal).
 * Svix sends both sets with equal values; then the specification's is read.
 */
export function standardPrefixOf(headers: RequestHeaders): StandardPrefix {
  const uses = (prefix: StandardPrefix): boolean =>
    ['id', 'timestamp', 'signature'].some((part) => headerText(headers, `${prefix}-${part}`) !== null);
  return uses('webhook') || !uses('svix') ? 'webhook' : 'svix';
}

/**
 * Longest delivery id kept: ids are compared and indexed (PostgreSQL's b-tree rows hold about 2.7 kB), and
 * real senders' ids are ULIDs, UUIDs or `msg_…` strings far below this.
 */
export const MAX_DELIVERY_ID_CHARS = 512;

/** The sender's own delivery id, from the first of {@link DELIVERY_ID_HEADERS} present; null when none is. */
export function deliveryIdOf(headers: RequestHeaders): string | null {
  for (const name of DELIVERY_ID_HEADERS) {
    const value = headerText(headers, name);
    if (value !== null) return value;
  }
  return null;
}
