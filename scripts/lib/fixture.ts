/**
 * Fixtures: the files `GET /events/export` writes (NDJSON, or one JSON array), read back and re-sent in
 * order through a real intake or to a handler (`npm run mock -- --from`).
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { importHeaders } from './outgoing-headers.js';

/** One event of a fixture: what an export line holds (see docs/api.md, "Export"). */
const fixtureEventSchema = z
  .object({
    id: z.string().optional(),
    headers: z.record(z.string(), z.string()).nullable().optional(),
    raw: z.string().optional(),
    rawBase64: z.string().optional(),
  })
  .refine((e) => (e.raw === undefined) !== (e.rawBase64 === undefined), {
    message: 'needs exactly one of "raw" and "rawBase64"',
  });

/** An event read from a fixture: its exact body bytes and its stored headers. */
export interface FixtureEvent {
  /** Where it is in the file (1-based line of NDJSON, or index + 1 in a JSON array). */
  position: number;
  id: string | null;
  raw: Buffer;
  headers: Record<string, string> | null;
}

function toFixtureEvent(value: unknown, position: number, where: string): FixtureEvent {
  const parsed = fixtureEventSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new Error(`${where}: ${field ? `${field}: ` : ''}${issue?.message ?? 'not an exported event'}`);
  }
  const event = parsed.data;
  return {
    position,
    id: event.id ?? null,
    raw:
      event.raw !== undefined ? Buffer.from(event.raw, 'utf8') : Buffer.from(event.rawBase64 ?? '', 'base64'),
    headers: event.headers ?? null,
  };
}

/** Whether the file is one JSON array (format=json) rather than NDJSON: its first non-blank byte is `[`. */
async function isJsonArray(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return /^\s*\[/.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

/**
 * Reads every event of a fixture in file order, calling `onEvent` for each (awaited, so a slow consumer
 * paces the reading: NDJSON is streamed line by line). Throws an Error naming the line at fault.
 * Resolves with the number of events.
 */
export async function readFixture(
  file: string,
  onEvent: (event: FixtureEvent) => void | Promise<void>,
): Promise<number> {
  if (await isJsonArray(file)) {
    let values: unknown;
    try {
      values = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: not JSON (${err instanceof Error ? err.message : String(err)})`, {
        cause: err,
      });
    }
    if (!Array.isArray(values)) throw new Error(`${file}: not a JSON array`);
    for (const [index, value] of values.entries()) {
      await onEvent(toFixtureEvent(value, index + 1, `${file}: element ${index + 1}`));
    }
    return values.length;
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let count = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${file}: line ${lineNumber} is not JSON`);
    }
    await onEvent(toFixtureEvent(value, lineNumber, `${file}: line ${lineNumber}`));
    count++;
  }
  return count;
}

/** An HTTP answer, read whole (a webhook's answers are small). */
export interface PostAnswer {
  status: number;
  body: string;
}

/**
 * POSTs exact bytes with exactly these headers (node:http, not fetch: no header is added or normalised
 * besides Host and Content-Length, and redirects are never followed). Rejects on a connection error or
 * after `timeoutMs` without an answer.
 */
export function postBytes(
  url: URL,
  body: Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end(body);
  });
}

/** Options of {@link sendFixture}. */
export interface SendFixtureOptions {
  file: string;
  url: URL;
  /** Events per second at most (each also waits for the previous answer). */
  rate: number;
  /** Send the stored headers (less hop-by-hop, credential and signature headers). */
  originalHeaders: boolean;
  /** Why a request failed, short. */
  describeError: (err: unknown) => string;
  /** Time to wait for each answer. */
  timeoutMs?: number;
}

/** What {@link sendFixture} did. */
export interface FixtureReport {
  sent: number;
  seconds: number;
  byStatus: Map<string, number>;
  errors: Map<string, number>;
  /** Requests that failed or got a non-2xx. */
  failed: number;
  /** The first few failures, each naming its place in the file and its event id. */
  failures: string[];
}

/**
 * Sends every event of the fixture in file order, one at a time (the next only after the previous
 * answer, so that the receiver stores them in the same order), paced to at most `rate` per second.
 */
export async function sendFixture(options: SendFixtureOptions): Promise<FixtureReport> {
  const byStatus = new Map<string, number>();
  const errors = new Map<string, number>();
  const failures: string[] = [];
  const intervalMs = 1000 / options.rate;
  const startedMs = performance.now();
  let sent = 0;
  let failed = 0;
  const note = (event: FixtureEvent, what: string): void => {
    failed++;
    if (failures.length < 5) failures.push(`#${event.position} (event ${event.id ?? '?'}): ${what}`);
  };
  await readFixture(options.file, async (event) => {
    const waitMs = startedMs + sent * intervalMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    const headers = options.originalHeaders
      ? importHeaders(event.headers)
      : { 'content-type': event.headers?.['content-type'] ?? 'application/json' };
    headers['content-type'] ??= 'application/json';
    sent++;
    try {
      const answer = await postBytes(options.url, event.raw, headers, options.timeoutMs ?? 10_000);
      const key = String(answer.status);
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
      if (answer.status < 200 || answer.status > 299)
        note(event, `${answer.status} ${answer.body.slice(0, 300)}`);
    } catch (err) {
      const key = options.describeError(err);
      errors.set(key, (errors.get(key) ?? 0) + 1);
      note(event, key);
    }
  });
  return { sent, seconds: (performance.now() - startedMs) / 1000, byStatus, errors, failed, failures };
}
