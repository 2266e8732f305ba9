import { performance } from 'node:perf_hooks';
import { MAX_RESPONSE_BODY_BYTES } from '../domain/deliveries.js';
import type { StoredEvent } from '../domain/records.js';
import type { Clock } from '../shared/clock.js';
import { isTargetAllowed, type AllowedTarget } from '../shared/targets.js';

// The one way the server sends an event out (replayEvents and FORWARD_TO): the exact raw body, the
// original headers less hop-by-hop and credential ones, redirects answered as they are, a time limit,
// and the answer's body read up to the cap only.

/** Headers that belong to one connection (RFC 9110 §7.6.1) or that fetch sets itself from the body. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);
/** Credentials meant for hookscope, never for the target (the intake drops most already; this is the last word). */
const CREDENTIALS = new Set(['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token']);

/** The headers to send on with an event: its stored ones less hop-by-hop and credential headers. */
export function forwardHeaders(stored: Record<string, string> | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!stored) return headers;
  // A Connection header names further headers of that connection alone.
  const named = new Set(
    (stored.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
  for (const [name, value] of Object.entries(stored)) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || CREDENTIALS.has(lower) || named.has(lower) || lower.startsWith('proxy-')) {
      continue;
    }
    headers[lower] = value;
  }
  return headers;
}

/** How one attempt went: an answer (status, body) and/or why none (or no complete one) came. */
export interface SendOutcome {
  attemptedAtMs: number;
  status: number | null;
  durationMs: number;
  responseBody: string | null;
  responseTruncated: boolean;
  error: string | null;
}

/** Thrown by {@link Sender.send} for a target outside the allowed ones: callers check first, this is the backstop. */
export class TargetNotAllowedError extends Error {
  override name = 'TargetNotAllowedError';
}

/** Sends events to targets. */
export interface Sender {
  /** Whether the server may send to `target`. */
  allows(target: URL): boolean;
  /** POSTs `event` to `target` (which must be allowed) and reports the answer; never rejects otherwise. */
  send(event: StoredEvent, target: URL, signal?: AbortSignal): Promise<SendOutcome>;
}

/** What the sender needs. */
export interface SenderOptions {
  allowed: readonly AllowedTarget[];
  /** One attempt's limit, from connecting to the end of the answer's body. */
  timeoutMs: number;
  clock: Clock;
}

/** Reads at most the cap of a body, then stops reading (and drops the connection's rest). */
async function readCapped(
  body: ReadableStream<Uint8Array> | null,
): Promise<{ text: string; truncated: boolean }> {
  if (!body) return { text: '', truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
      if (bytes > MAX_RESPONSE_BODY_BYTES) {
        truncated = true;
        break;
      }
    }
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const all = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY_BYTES);
  // A character cut at the cap decodes as U+FFFD; the recorder's cap then keeps whole characters.
  return { text: all.toString('utf8'), truncated };
}

/** Why a fetch failed, in words a person debugging a handler reads: the system error's code first. */
function describeFailure(error: unknown, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return typeof code === 'string' && !cause.message.includes(code)
        ? `${code}: ${cause.message}`
        : cause.message;
    }
    if (error.name === 'AbortError') return 'aborted (the server is shutting down)';
    return error.message;
  }
  return String(error);
}

/** Creates the sender (Node's fetch, which is undici). */
export function createSender({ allowed, timeoutMs, clock }: SenderOptions): Sender {
  const allows = (target: URL): boolean => isTargetAllowed(target, allowed);
  return {
    allows,
    async send(event, target, signal) {
      if (!allows(target)) throw new TargetNotAllowedError(`${target.href} is not an allowed target`);
      const attemptedAtMs = clock.now();
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const elapsed = (): number => Math.round(performance.now() - started);
      let status: number | null = null;
      try {
        const response = await fetch(target.href, {
          method: 'POST',
          headers: forwardHeaders(event.headers),
          body: new Uint8Array(event.raw),
          // A redirect is the target's answer: following it would let an allowed target send us anywhere.
          redirect: 'manual',
          signal: combined,
        });
        status = response.status;
        const body = await readCapped(response.body);
        return {
          attemptedAtMs,
          status,
          durationMs: elapsed(),
          responseBody: body.text,
          responseTruncated: body.truncated,
          error: null,
        };
      } catch (error) {
        return {
          attemptedAtMs,
          status,
          durationMs: elapsed(),
          responseBody: null,
          responseTruncated: false,
          error: describeFailure(error, timeoutMs, timeout.aborted),
        };
      }
    },
  };
}
