/**
 * Sends mock webhook events to a running hookscope over real HTTP and reports what it answered, or, with
 * --from, re-sends an export (`GET /events/export`) in order: a fixture for another hookscope or a handler.
 * Usage: npm run mock -- [--url URL] [--count N] [--rate PER_SECOND] [--seed N]
 *        npm run mock -- --from FILE [--url URL] [--rate PER_SECOND] [--original-headers]
 * Exit codes: 0 all answered 2xx, 1 a request failed or got a non-2xx, 2 bad arguments or fixture.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createMockGenerator, createRandom, mockDeliveryId } from '../server/src/domain/mock.js';
import { readFixture, sendFixture } from './lib/fixture.js';
import { parseFlags } from './lib/cli.js';

const USAGE = `usage: npm run mock -- [--url URL] [--count N] [--rate PER_SECOND] [--seed N]
       npm run mock -- --from FILE [--url URL] [--rate PER_SECOND] [--original-headers]
  --url    webhook endpoint (default http://127.0.0.1:8000/webhooks/event)
  --count  events to send, 1-1000000 (default 50)
  --rate   events per second, paced evenly, 0.1-10000 (default 10)
  --seed   generator seed for a repeatable sequence (default: random, printed)
  --from   re-send the events of an export (NDJSON or a JSON array, from GET /events/export) in
           order, one at a time, with their exact raw bodies (instead of generated events)
  --original-headers
           with --from: send each event's stored headers too, less hop-by-hop, credential and
           signature headers (default: only its content-type)`;

interface Options {
  url: URL;
  count: number;
  rate: number;
  seed: number;
  from: string | null;
  originalHeaders: boolean;
}

function fail(message: string): never {
  process.stderr.write(`mock: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function readNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    fail(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function readOptions(argv: string[]): Options {
  const values = parseFlags<{
    url?: string;
    count?: string;
    rate?: string;
    seed?: string;
    from?: string;
    'original-headers'?: boolean;
    help?: boolean;
  }>(
    argv,
    {
      url: { type: 'string' },
      count: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      'original-headers': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
    fail,
  );
  let url: URL;
  try {
    url = new URL(values.url ?? 'http://127.0.0.1:8000/webhooks/event');
  } catch {
    fail(`--url is not a URL: ${JSON.stringify(values.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    fail(`--url must be http or https, got ${url.protocol}`);
  const from = values.from ?? null;
  if (from === '') fail('--from needs a file name');
  if (from !== null && (values.count !== undefined || values.seed !== undefined)) {
    fail('--count and --seed are for generated events; --from sends every event of the file');
  }
  if (from === null && values['original-headers'] === true) fail('--original-headers needs --from');
  const count = readNumber('count', values.count, 50, 1, 1_000_000);
  if (!Number.isInteger(count)) fail(`--count must be a whole number, got ${String(values.count)}`);
  const rate = readNumber('rate', values.rate, 10, 0.1, 10_000);
  const seed = readNumber('seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1);
  if (!Number.isInteger(seed)) fail(`--seed must be a whole number, got ${String(values.seed)}`);
  return { url, count, rate, seed, from, originalHeaders: values['original-headers'] === true };
}

/** Why a request failed, short: the socket error code when there is one (ECONNREFUSED), else the message. */
function describeError(err: unknown): string {
  if (err instanceof Error) {
    // node:http puts the code on the error itself (--from), fetch on its cause.
    if ('code' in err && typeof err.code === 'string') return err.code === 'ETIMEDOUT' ? 'timeout' : err.code;
    const cause = err.cause;
    if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
      return cause.code;
    }
    return err.name === 'TimeoutError' ? 'timeout' : err.message;
  }
  return String(err);
}

function countsLine(counts: Map<string, number>): string {
  return [...counts].map(([key, n]) => `${key}×${n}`).join(', ') || 'none';
}

/** --from: checks the whole fixture first (nothing is sent from a broken file), then sends it in order. */
async function importFixture(options: Options & { from: string }): Promise<void> {
  let total: number;
  try {
    total = await readFixture(options.from, () => undefined);
  } catch (err) {
    process.stderr.write(`mock: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `mock: re-sending ${total} events of ${options.from} to ${options.url.href} at up to ${options.rate}/s, in order\n`,
  );
  const report = await sendFixture({
    file: options.from,
    url: options.url,
    rate: options.rate,
    originalHeaders: options.originalHeaders,
    describeError,
  });
  process.stdout.write(
    `sent ${report.sent} in ${report.seconds.toFixed(1)} s: ${countsLine(report.byStatus)}${report.errors.size > 0 ? `; errors: ${countsLine(report.errors)}` : ''}\n`,
  );
  for (const failure of report.failures) process.stdout.write(`  ${failure}\n`);
  process.exitCode = report.failed > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (options.from !== null) return importFixture({ ...options, from: options.from });
  const generator = createMockGenerator({ seed: options.seed, now: Date.now });
  // Delivery ids must differ between runs even with the same --seed, or the server would take them as repeats.
  const deliveryRandom = createRandom(Date.now() ^ process.pid);
  const byStatus = new Map<string, number>();
  const errors = new Map<string, number>();
  const firstRefusals: string[] = [];
  const intervalMs = 1000 / options.rate;
  const startedMs = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let answered = 0;
  const interactive = process.stderr.isTTY;
  let lastProgressMs = startedMs;

  process.stderr.write(
    `mock: sending ${options.count} events to ${options.url.href} at ${options.rate}/s (seed ${options.seed})\n`,
  );
  const progress = (force: boolean): void => {
    const nowMs = performance.now();
    if (!force && nowMs - lastProgressMs < 1000) return;
    lastProgressMs = nowMs;
    const line = `sent ${sent}/${options.count}, answered ${answered}: ${countsLine(byStatus)}${errors.size > 0 ? `; errors ${countsLine(errors)}` : ''}`;
    process.stderr.write(interactive ? `\r${line}` : `${line}\n`);
  };

  for (let i = 0; i < options.count; i++) {
    // Paced against the start time, so slow answers do not stretch the schedule and nothing is bursted.
    const dueMs = startedMs + i * intervalMs;
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    const body = JSON.stringify(generator.next());
    sent++;
    const request = fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': mockDeliveryId(deliveryRandom) },
      body,
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        const text = await response.text();
        const key = String(response.status);
        byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
        if ((response.status < 200 || response.status > 299) && firstRefusals.length < 3) {
          firstRefusals.push(`${response.status}: ${text.slice(0, 300)}`);
        }
      })
      .catch((err: unknown) => {
        const key = describeError(err);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      })
      .finally(() => {
        answered++;
        inFlight.delete(request);
      });
    inFlight.add(request);
    progress(false);
  }
  await Promise.all(inFlight);
  if (interactive) process.stderr.write('\r\x1b[K');

  const seconds = (performance.now() - startedMs) / 1000;
  const failed = [...errors.values()].reduce((a, b) => a + b, 0);
  const non2xx = [...byStatus].filter(([status]) => !status.startsWith('2')).reduce((a, [, n]) => a + n, 0);
  let report = `sent ${sent} in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(1)}/s): ${countsLine(byStatus)}`;
  if (failed > 0) report += `; errors: ${countsLine(errors)}`;
  process.stdout.write(`${report}\n`);
  for (const refusal of firstRefusals) process.stdout.write(`  ${refusal}\n`);
  process.exitCode = failed > 0 || non2xx > 0 ? 1 : 0;
}

await main();
