/**
 * Which of an event's stored headers go out again when a command-line tool re-sends it (`npm run forward`,
 * `npm run mock -- --from`). The stored headers are what the sender sent to hookscope, less credentials
 * (the intake never stores them); see docs/forwarding.md for the lists and why.
 */

/**
 * Headers of one hop only (RFC 9110 §7.6.1), and those the new request computes for itself: its own
 * Host, Content-Length and framing; and the proxy trail into hookscope, which says nothing of this hop.
 * Accept-Encoding goes too, so that the answer recorded is readable text rather than gzip.
 */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'accept-encoding',
  'forwarded',
  'via',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-real-ip',
]);

/** Credentials: never stored by the intake, refused here as well in case an older store kept one. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'x-api-key']);

/**
 * Signatures and their timestamps: a second hookscope has its own secret, and a Standard Webhooks
 * timestamp is stale after 300 s, so they could only make the import refused. The delivery ids
 * (`webhook-id`, `svix-id`, `X-GitHub-Delivery`) stay: they make a repeated import a duplicate, not a copy.
 */
const SIGNATURE_HEADERS = new Set([
  'webhook-signature',
  'webhook-timestamp',
  'svix-signature',
  'svix-timestamp',
  'x-hub-signature',
  'x-hub-signature-256',
]);

/** What to drop besides hop-by-hop and credential headers. */
export interface OutgoingHeaderOptions {
  /** Drop signature headers too (an import into another hookscope). */
  dropSignatures?: boolean;
}

/**
 * The headers to send with a re-sent event: the stored ones less hop-by-hop, credential and (when asked)
 * signature headers, and less any header the stored `connection` header names as hop-by-hop.
 */
export function outgoingHeaders(
  stored: Record<string, string> | null | undefined,
  options: OutgoingHeaderOptions = {},
): Record<string, string> {
  const kept: Record<string, string> = {};
  if (!stored) return kept;
  const named = new Set(
    (stored.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
  for (const [rawName, value] of Object.entries(stored)) {
    const name = rawName.toLowerCase();
    if (HOP_HEADERS.has(name) || CREDENTIAL_HEADERS.has(name) || named.has(name)) continue;
    if (options.dropSignatures && SIGNATURE_HEADERS.has(name)) continue;
    kept[name] = value;
  }
  return kept;
}
