import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../api/errors.js';
import type { WebhookSignatureConfig } from '../config.js';
import type { RequestHeaders } from './ingest.js';
import { headerText, standardPrefixOf } from './sender-headers.js';

/** How far (seconds) a Standard Webhooks timestamp may be from now, either way: the specification's window. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Why a signature check failed; each code names one check so a person can fix their sender. */
export type SignatureFailureCode = Extract<ErrorCode, `SIGNATURE_${string}`>;

/** The outcome of {@link verifySignature}. */
export type SignatureCheck =
  { ok: true } | { ok: false; code: SignatureFailureCode; header: string; message: string };

/** Constant-time equality of two byte strings (different lengths compare unequal without early exit on content). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function fail(code: SignatureFailureCode, name: string, message: string): SignatureCheck {
  return { ok: false, code, header: name, message };
}

/** Whether any key's HMAC-SHA256 of `parts` equals `given`. Every key is tried (no early exit), each
 * compared in constant time, so timing tells neither which key nor how close. */
function anyKeyMatches(
  keys: readonly Buffer[],
  parts: readonly (string | Buffer)[],
  given: readonly Buffer[],
): boolean {
  let matched = false;
  for (const key of keys) {
    const hmac = createHmac('sha256', key);
    for (const part of parts) hmac.update(part);
    const expected = hmac.digest();
    for (const candidate of given) if (sameBytes(candidate, expected)) matched = true;
  }
  return matched;
}

/** What a mismatch says about the keys: one secret, or the rotation's several. */
function secretsText(keys: readonly Buffer[]): string {
  return keys.length === 1 ? 'WEBHOOK_SECRET' : `any of the ${keys.length} secrets of WEBHOOK_SECRET`;
}

/**
 * Verifies a delivery's signature on its exact raw bytes, before anything parses them, against every
 * configured key (rotation: old and new both verify while both are listed).
 * Standard Webhooks, under either prefix (`webhook-*` or Svix's `svix-*`, see {@link standardPrefixOf}):
 * HMAC-SHA256 over `id.timestamp.body`, `v1,<base64>` entries separated by spaces (the sender's own
 * rotation), timestamp within ±300 s of `nowMs`. GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body
 * (GitHub signs no timestamp, so replay protection is the delivery-id duplicate rule only).
 * A refusal names the header actually read.
 */
export function verifySignature(
  config: WebhookSignatureConfig,
  headers: RequestHeaders,
  raw: Buffer,
  nowMs: number,
): SignatureCheck {
  if (config.scheme === 'github') {
    const name = 'x-hub-signature-256';
    const value = headerText(headers, name);
    if (value === null) return fail(ErrorCode.SIGNATURE_HEADER_MISSING, name, `header ${name} is missing`);
    const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value);
    const given = match ? [Buffer.from(match[1] as string, 'hex')] : [];
    if (!anyKeyMatches(config.keys, [raw], given)) {
      return fail(
        ErrorCode.SIGNATURE_MISMATCH,
        name,
        `${name} does not match the body signed with ${secretsText(config.keys)}`,
      );
    }
    return { ok: true };
  }

  const prefix = standardPrefixOf(headers);
  const idName = `${prefix}-id`;
  const timestampName = `${prefix}-timestamp`;
  const signatureName = `${prefix}-signature`;
  for (const name of [idName, timestampName, signatureName]) {
    if (headerText(headers, name) === null) {
      // Naming the other prefix tells a Svix user their headers would have been read too.
      const also = prefix === 'webhook' ? ` (svix-${name.slice('webhook-'.length)} is accepted too)` : '';
      return fail(ErrorCode.SIGNATURE_HEADER_MISSING, name, `header ${name} is missing${also}`);
    }
  }
  const id = headerText(headers, idName) as string;
  const timestampText = headerText(headers, timestampName) as string;
  const signatures = headerText(headers, signatureName) as string;
  if (!/^\d{1,12}$/.test(timestampText)) {
    return fail(
      ErrorCode.SIGNATURE_TIMESTAMP_INVALID,
      timestampName,
      `${timestampName} "${timestampText.slice(0, 40)}" is not whole seconds since 1970`,
    );
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(nowMs / 1000);
  if (timestamp < nowSeconds - SIGNATURE_TOLERANCE_SECONDS) {
    return fail(
      ErrorCode.SIGNATURE_TIMESTAMP_STALE,
      timestampName,
      `${timestampName} is ${nowSeconds - timestamp} s in the past (at most ${SIGNATURE_TOLERANCE_SECONDS} s allowed)`,
    );
  }
  if (timestamp > nowSeconds + SIGNATURE_TOLERANCE_SECONDS) {
    return fail(
      ErrorCode.SIGNATURE_TIMESTAMP_FUTURE,
      timestampName,
      `${timestampName} is ${timestamp - nowSeconds} s in the future (at most ${SIGNATURE_TOLERANCE_SECONDS} s allowed)`,
    );
  }
  const given = signatures.split(' ').flatMap((entry) => {
    const comma = entry.indexOf(',');
    return comma < 0 || entry.slice(0, comma) !== 'v1' ? [] : [Buffer.from(entry.slice(comma + 1), 'base64')];
  });
  if (!anyKeyMatches(config.keys, [`${id}.${timestampText}.`, raw], given)) {
    return fail(
      ErrorCode.SIGNATURE_MISMATCH,
      signatureName,
      `no v1 signature in ${signatureName} matches ${idName}.${timestampName}.body signed with ${secretsText(config.keys)}`,
    );
  }
  return { ok: true };
}
