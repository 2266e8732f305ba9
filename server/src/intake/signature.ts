import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../api/errors.js';
import type { WebhookSignatureConfig } from '../config.js';
import type { RequestHeaders } from './ingest.js';

/** How far (seconds) a Standard Webhooks timestamp may be from now, either way: the specification's window. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Why a signature check failed; each code names one check so a person can fix their sender. */
export type SignatureFailureCode = Extract<ErrorCode, `SIGNATURE_${string}`>;

/** The outcome of {@link verifySignature}. */
export type SignatureCheck =
  { ok: true } | { ok: false; code: SignatureFailureCode; header: string; message: string };

function header(headers: RequestHeaders, name: string): string | null {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(' ') : value;
  return text === undefined || text.trim() === '' ? null : text.trim();
}

/** Constant-time equality of two byte strings (different lengths compare unequal without early exit on content). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function fail(code: SignatureFailureCode, name: string, message: string): SignatureCheck {
  return { ok: false, code, header: name, message };
}

/**
 * Verifies a delivery's signature on its exact raw bytes, before anything parses them.
 * Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, `v1,<base64>` entries separated by spaces
 * (several for key rotation), timestamp within ±300 s of `nowMs`. GitHub: `X-Hub-Signature-256: sha256=<hex>`
 * over the body (GitHub signs no timestamp, so replay protection is the `webhook-id` duplicate rule only).
 */
export function verifySignature(
  config: WebhookSignatureConfig,
  headers: RequestHeaders,
  raw: Buffer,
  nowMs: number,
): SignatureCheck {
  if (config.scheme === 'github') {
    const name = 'x-hub-signature-256';
    const value = header(headers, name);
    if (value === null) return fail(ErrorCode.SIGNATURE_HEADER_MISSING, name, `header ${name} is missing`);
    const expected = createHmac('sha256', config.key).update(raw).digest();
    const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value);
    if (!match || !sameBytes(Buffer.from(match[1] as string, 'hex'), expected)) {
      return fail(
        ErrorCode.SIGNATURE_MISMATCH,
        name,
        `${name} does not match the body signed with WEBHOOK_SECRET`,
      );
    }
    return { ok: true };
  }

  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    if (header(headers, name) === null) {
      return fail(ErrorCode.SIGNATURE_HEADER_MISSING, name, `header ${name} is missing`);
    }
  }
  const id = header(headers, 'webhook-id') as string;
  const timestampText = header(headers, 'webhook-timestamp') as string;
  const signatures = header(headers, 'webhook-signature') as string;
  if (!/^\d{1,12}$/.test(timestampText)) {
    return fail(
      ErrorCode.SIGNATURE_TIMESTAMP_INVALID,
      'webhook-timestamp',
      `webhook-timestamp "${timestampText.slice(0, 40)}" is not whole seconds since 1970`,
    );
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(nowMs / 1000);
  if (timestamp < nowSeconds - SIGNATURE_TOLERANCE_SECONDS) {
    return fail(
      ErrorCode.SIGNATURE_TIMESTAMP_STALE,
      'webhook-timestamp',
      `webhook-timestamp is ${nowSeconds - timestamp} s in the past (at most ${SIGNATURE_TOLERANCE_SECONDS} s allowed)`,
    );
  }
  if (timestamp > nowSeconds + SIGNATURE_TOLERANCE_SECONDS) {
    return fail(
      ErrorCode.SIGNATURE_TIMESTAMP_FUTURE,
      'webhook-timestamp',
      `webhook-timestamp is ${timestamp - nowSeconds} s in the future (at most ${SIGNATURE_TOLERANCE_SECONDS} s allowed)`,
    );
  }
  const expected = createHmac('sha256', config.key).update(`${id}.${timestampText}.`).update(raw).digest();
  // Every entry is compared (no early exit) so timing does not reveal which entry came close.
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    if (sameBytes(given, expected)) matched = true;
  }
  if (!matched) {
    return fail(
      ErrorCode.SIGNATURE_MISMATCH,
      'webhook-signature',
      'no v1 signature in webhook-signature matches webhook-id.webhook-timestamp.body signed with WEBHOOK_SECRET',
    );
  }
  return { ok: true };
}
