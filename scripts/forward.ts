/**
 * Forwards the events a hookscope receives to a local handler, live, in commit order, and reports every
 * answer back to hookscope (Mutation.recordDelivery), so the dashboard shows how the handler answered.
 * Only outgoing connections: it works from a laptop behind NAT against a shared hookscope.
 * Usage: npm run forward -- --from http://hookscope:8000 --to http://localhost:3000/webhook [options]
 * Exit codes: 0 stopped by a signal, 1 hookscope refused the credentials, 2 bad arguments.
 * docs/forwarding.md ("The forward CLI") says how it resumes and when it retries.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ACTIONS, type Action } from '../server/src/domain/types.js';
import type { StoredEvent } from '../server/src/domain/records.js';
import { compareSequences } from '../server/src/domain/sequence.js';
import { createSender, type SendOutcome, type Sender } from '../server/src/jobs/sender.js';
import { systemClock } from '../server/src/shared/clock.js';
import { parseDurationMs } from '../server/src/shared/time.js';
import { parseFlags } from './lib/cli.js';

const USAGE = `usage: npm run forward -- --from HOOKSCOPE_URL --to HANDLER_URL [options]
  --from         hookscope's address, e.g. http://hookscope-host:8000
  --to           your handler, e.g. http://localhost:3000/webhook (http or https)
  --filter K=V   forward only matching events; K is action, entityType, entityId or
                 search; repeat for several (all must match)
  --token T      hookscope's AUTH_TOKEN (or user:password for AUTH_USERS)
  --retries N    attempts after a failed one (5xx, 408, 429, no answer), 0-20 (default 3)
  --retry-delay  first wait before a retry, doubled each time, e.g. 500ms (default 1s)
  --timeout      how long one attempt may take, e.g. 30s (default 10s)`;

/** Filter keys and the EventFilter field each sets. */
const FILTER_KEYS = ['action', 'entityType', 'entityId', 'search'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** Events per catch-up page (well under GRAPHQL_MAX_COST with the fields selected). */
const CATCH_UP_PAGE = 200;
/** Longest wait between reconnection attempts and between retries of one event. */
const MAX_BACKOFF_MS = 30_000;

interface Options {
  from: URL;
  to: URL;
  filter: Partial<Record<FilterKey, string>>;
  token: string | null;
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
}

function fail(message: string): never {
  process.stderr.write(`forward: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function readUrl(name: string, text: string | undefined): URL {
  if (text === undefined) fail(`--${name} is required`);
  if (!URL.canParse(text)) fail(`--${name} is not a URL: ${JSON.stringify(text)}`);
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`--${name} must be http or https, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    fail(`--${name} must not hold a user name or password${name === 'from' ? ' (use --token)' : ''}`);
  }
  return url;
}

function readDuration(name: string, text: string | undefined, fallbackMs: number, maxMs: number): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDurationMs(text);
  if (ms === null || ms < 1 || ms > maxMs) {
    fail(
      `--${name} must be a duration such as 500ms, 10s or 2m (at most ${maxMs / 1000} s), got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

function readOptions(argv: string[]): Options {
  const values = parseFlags<{
    from?: string;
    to?: string;
    filter?: string[];
    token?: string;
    retries?: string;
    'retry-delay'?: string;
    timeout?: string;
    help?: boolean;
  }>(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      filter: { type: 'string', multiple: true },
      token: { type: 'string' },
      retries: { type: 'string' },
      'retry-delay': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
    fail,
  );
  const filter: Options['filter'] = {};
  for (const item of values.filter ?? []) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq) as FilterKey;
    const value = item.slice(eq + 1);
    if (eq < 1 || !FILTER_KEYS.includes(key)) {
      fail(
        `--filter must be KEY=VALUE with KEY one of ${FILTER_KEYS.join(', ')}, got ${JSON.stringify(item)}`,
      );
    }
    if (value === '') fail(`--filter ${key}= needs a value`);
    if (key === 'action' && !ACTIONS.includes(value as Action)) {
      fail(`--filter action must be one of ${ACTIONS.join(', ')}, got ${JSON.stringify(value)}`);
    }
    if (filter[key] !== undefined) fail(`--filter ${key} is given twice`);
    filter[key] = value;
  }
  const retriesText = values.retries ?? '3';
  const retries = Number(retriesText);
  if (!/^\d+$/.test(retriesText) || retries > 20)
    fail(`--retries must be a whole number from 0 to 20, got ${JSON.stringify(values.retries)}`);
  if (values.token === '') fail('--token needs a value');
  return {
    from: readUrl('from', values.from),
    to: readUrl('to', values.to),
    filter,
    token: values.token ?? null,
    retries,
    retryDelayMs: readDuration('retry-delay', values['retry-delay'], 1_000, 600_000),
    timeoutMs: readDuration('timeout', values.timeout, 10_000, 600_000),
  };
}

/** An event as the subscription and the catch-up query select it: the stored event, times and body as text. */
type ApiEvent = Omit<StoredEvent, 'receivedAtMs' | 'timeMs' | 'raw'> & {
  receivedAt: string;
  time: string;
  raw: string;
};

const EVENT_FIELDS =
  'id sequence receivedAt time action entityType entityId modifiedFields deliveryId headers raw';
const SUBSCRIPTION = `subscription ForwardEvents($filter: EventFilter, $after: String) {
  eventAdded(filter: $filter, after: $after) { ${EVENT_FIELDS} }
}`;
const CATCH_UP = `query ForwardCatchUp($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    edges { node { ${EVENT_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const RECORD = `mutation ForwardRecord($input: DeliveryInput!) { recordDelivery(input: $input) { id } }`;

/** The stored event the server's sender sends: the intake keeps only valid UTF-8, so `raw` is exact. */
function toStoredEvent(event: ApiEvent): StoredEvent {
  return {
    id: event.id,
    sequence: event.sequence,
    receivedAtMs: Date.parse(event.receivedAt),
    timeMs: Date.parse(event.time),
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    modifiedFields: event.modifiedFields,
    deliveryId: event.deliveryId,
    headers: event.headers,
    raw: Buffer.from(event.raw, 'utf8'),
  };
}

/**
 * The Authorization header for hookscope's HTTP API: Bearer for AUTH_TOKEN; Basic for AUTH_USERS'
 * `user:password`, tried when a token with a colon is refused as a bearer token.
 */
function authorization(token: string | null, basic: boolean): Record<string, string> {
  if (token === null) return {};
  return basic
    ? { authorization: `Basic ${Buffer.from(token, 'utf8').toString('base64')}` }
    : { authorization: `Bearer ${token}` };
}

/** Thrown when hookscope refuses the credentials: retrying cannot help. */
class CredentialsRefused extends Error {
  override name = 'CredentialsRefused';
}

/** One GraphQL operation over the socket: its single result's data, or an Error. */
function request<T>(client: Client, query: string, variables: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    let data: T | null = null;
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) reject(new Error(result.errors.map((e) => e.message).join('; ')));
          else data = result.data as T;
        },
        error: (err) => reject(err instanceof Error ? err : new Error(describeClose(err))),
        complete: () => (data === null ? reject(new Error('no answer')) : resolve(data)),
      },
    );
  });
}

/** A close event or anything else graphql-ws reports, in words. */
function describeClose(err: unknown): string {
  // graphql-ws's `error` message: the operation's GraphQL errors.
  if (Array.isArray(err)) return err.map((e) => String((e as { message?: unknown }).message ?? e)).join('; ');
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const { code, reason } = err as { code: unknown; reason?: unknown };
    return `socket closed (${String(code)}${reason ? `: ${String(reason)}` : ''})`;
  }
  if (err instanceof Error) {
    const cause = err.cause as { code?: unknown } | undefined;
    return typeof cause?.code === 'string' ? cause.code : err.message;
  }
  return String(err);
}

/** The position after the last event queued: its arrival time, id and sequence. */
interface Position {
  receivedAt: string;
  id: string;
  sequence: string;
}

/** The server ended a resumed subscription: it cannot replay from the position (docs/api.md). */
class ResyncRequired extends Error {
  override name = 'ResyncRequired';
}

/** The forwarder: the queue, the position, the delivery loop and the reports. */
class Forwarder {
  /** undefined: not started; null: hookscope held no matching event when it started. */
  private position: Position | null | undefined = undefined;
  private readonly queue: ApiEvent[] = [];
  private wake: (() => void) | null = null;
  private readonly records: Record<string, unknown>[] = [];
  private recordWake: (() => void) | null = null;
  private stopped = false;
  /** The last resume was refused (RESYNC_REQUIRED): the next connection catches up by query instead. */
  private resync = false;
  /** Whether the token is sent as basic-auth `user:password` (see {@link authorization}). */
  private basic = false;
  private readonly sender: Sender;
  private readonly graphqlUrl: string;

  constructor(private readonly options: Options) {
    const to = options.to;
    // The user chose this one target; the sender's allow-list is what keeps it to that one.
    this.sender = createSender({
      allowed: [
        {
          protocol: to.protocol,
          hostname: to.hostname,
          port: to.port,
          pathPrefix: `${to.pathname}/`,
          text: to.href,
        },
      ],
      timeoutMs: options.timeoutMs,
      clock: systemClock,
    });
    this.graphqlUrl = `${options.from.href.replace(/\/+$/, '')}/graphql`;
  }

  /**
   * Queues an event unless it is at or before the position: by sequence in a resumed subscription (commit
   * order), by id in a catch-up by query (arrival order, as that query pages).
   */
  private offer(event: ApiEvent, by: 'sequence' | 'id' = 'id'): void {
    if (this.position) {
      const behind =
        by === 'sequence'
          ? compareSequences(event.sequence, this.position.sequence) <= 0
          : event.id <= this.position.id;
      if (behind) return;
    }
    this.queue.push(event);
    this.position = { receivedAt: event.receivedAt, id: event.id, sequence: event.sequence };
    this.wake?.();
  }

  /** One connection: resumed after the position when there is one, else subscribe, catch up by query, live. */
  private async session(client: Client): Promise<void> {
    // No position yet (first connection), or none to resume after (hookscope held no matching event):
    // a catch-up by query, as after a refused resume.
    if (this.position && !this.resync) return this.resumedSession(client);
    this.resync = false;
    return this.catchUpSession(client);
  }

  /**
   * A reconnect: `eventAdded(after:)` replays what was committed after the position, then goes on live:
   * no query, no gap, no repeat.
   */
  private async resumedSession(client: Client): Promise<void> {
    const after = (this.position as Position).sequence;
    // Said once the server has acknowledged the socket (the lazy client connects on this subscribe).
    const off = client.on('connected', () => {
      off();
      process.stderr.write(
        `forward: connected to ${this.options.from.origin}, resuming after sequence ${after}; forwarding to ${this.options.to.href}\n`,
      );
    });
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ eventAdded: ApiEvent }>(
        { query: SUBSCRIPTION, variables: { filter: this.options.filter, after } },
        {
          next: (result) => {
            if (result.errors?.length) {
              const resync = result.errors.some((e) => e.extensions?.code === 'RESYNC_REQUIRED');
              if (resync) this.resync = true;
              const message = result.errors.map((e) => e.message).join('; ');
              reject(resync ? new ResyncRequired(message) : new Error(message));
              return;
            }
            const event = result.data?.eventAdded;
            if (event) this.offer(event, 'sequence');
          },
          error: (err) => reject(err instanceof Error ? err : new Error(describeClose(err))),
          complete: () => resolve(),
        },
      );
    });
  }

  /** The first connection, or one after a refused resume: subscribe first and buffer, catch up by query. */
  private async catchUpSession(client: Client): Promise<void> {
    const filter = this.options.filter;
    const buffered: ApiEvent[] = [];
    let catchingUp = true;
    const ended = new Promise<void>((resolve, reject) => {
      client.subscribe<{ eventAdded: ApiEvent }>(
        { query: SUBSCRIPTION, variables: { filter } },
        {
          next: (result) => {
            if (result.errors?.length) {
              reject(new Error(result.errors.map((e) => e.message).join('; ')));
              return;
            }
            const event = result.data?.eventAdded;
            if (!event) return;
            if (catchingUp) buffered.push(event);
            else this.offer(event);
          },
          error: (err) => reject(err instanceof Error ? err : new Error(describeClose(err))),
          complete: () => resolve(),
        },
      );
    });
    // Sent after the subscribe on the same socket: the server registers the subscription before it
    // reads the page, so an event committed in between is in the buffer, the page or both (deduped).
    const caughtUp = this.catchUp(client);
    // Whichever fails second must not be an unhandled rejection; both are awaited below.
    caughtUp.catch(() => undefined);
    ended.catch(() => undefined);
    await Promise.race([caughtUp, ended]);
    const count = await caughtUp;
    catchingUp = false;
    for (const event of buffered) this.offer(event);
    process.stderr.write(
      `forward: connected to ${this.options.from.origin}${count > 0 ? `, caught up ${count} events` : ''}; forwarding to ${this.options.to.href}\n`,
    );
    await ended;
  }

  /** Queues what arrived after the position, oldest first; on the first connection, only sets it. */
  private async catchUp(client: Client): Promise<number> {
    const filter = this.options.filter;
    type Page = {
      events: { edges: { node: ApiEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    };
    if (this.position === undefined) {
      const page = await request<Page>(client, CATCH_UP, { filter, first: 1 });
      const newest = page.events.edges[0]?.node;
      this.position = newest
        ? { receivedAt: newest.receivedAt, id: newest.id, sequence: newest.sequence }
        : null;
      return 0;
    }
    const since = this.position?.receivedAt;
    const pageFilter = since ? { ...filter, since } : filter;
    const newestFirst: ApiEvent[] = [];
    for (let after: string | null = null; ;) {
      const page: Page = await request<Page>(client, CATCH_UP, {
        filter: pageFilter,
        first: CATCH_UP_PAGE,
        after,
      });
      newestFirst.push(...page.events.edges.map((edge) => edge.node));
      if (!page.events.pageInfo.hasNextPage) break;
      after = page.events.pageInfo.endCursor;
    }
    const before = this.queue.length;
    for (const event of newestFirst.reverse()) this.offer(event);
    return this.queue.length - before;
  }

  /** Connects, and reconnects after any disconnect with a growing wait, until stopped. */
  async connectLoop(): Promise<void> {
    const wsUrl = this.graphqlUrl.replace(/^http/, 'ws');
    for (let failures = 0; !this.stopped;) {
      let refused = false;
      let opened = false;
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: this.options.token ? { authToken: this.options.token } : {},
        retryAttempts: 0,
        lazy: true,
        // A dropped network shows as missing pongs: the socket is then closed and the session ends.
        keepAlive: 10_000,
        on: {
          connected: () => {
            opened = true;
          },
          closed: (event) => {
            // 4403: hookscope's onConnect refused the credentials (graphql-ws's Forbidden).
            if ((event as { code?: number }).code === 4403) refused = true;
          },
        },
      });
      try {
        await this.session(client);
        failures = 0;
      } catch (err) {
        if (refused) throw new CredentialsRefused('hookscope refused the credentials: check --token');
        if (opened) failures = 0;
        if (!this.stopped) process.stderr.write(`forward: disconnected (${describeClose(err)})\n`);
      } finally {
        await client.dispose();
      }
      if (this.stopped) break;
      const waitMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
      failures++;
      process.stderr.write(`forward: reconnecting in ${(waitMs / 1000).toFixed(1)} s\n`);
      await sleep(waitMs);
    }
  }

  /** Whether an answer is worth another attempt: none came, the handler failed, or it asked to wait. */
  private static retryable(outcome: SendOutcome): boolean {
    return (
      outcome.status === null || outcome.status >= 500 || outcome.status === 408 || outcome.status === 429
    );
  }

  /** Sends the queued events one at a time, in order, each with its retries; reports every attempt. */
  async deliverLoop(): Promise<void> {
    const { retries, retryDelayMs, to } = this.options;
    while (!this.stopped) {
      const event = this.queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const stored = toStoredEvent(event);
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.sender.send(stored, to);
        this.report(event, outcome);
        const answer = outcome.status === null ? (outcome.error ?? 'no answer') : String(outcome.status);
        const label = `${event.id} ${event.action} ${event.entityType}/${event.entityId}`;
        if (!Forwarder.retryable(outcome)) {
          process.stdout.write(`${label} → ${answer} in ${outcome.durationMs} ms\n`);
          break;
        }
        if (attempt > retries) {
          process.stdout.write(`${label} → ${answer}; gave up after ${attempt} attempts, moving on\n`);
          break;
        }
        const waitMs = Math.min(MAX_BACKOFF_MS, retryDelayMs * 2 ** (attempt - 1));
        process.stdout.write(
          `${label} → ${answer} (attempt ${attempt} of ${retries + 1}); retrying in ${waitMs} ms\n`,
        );
        await sleep(waitMs);
        if (this.stopped) return;
      }
    }
  }

  /** Queues the report of one attempt (Mutation.recordDelivery), sent in order by {@link recordLoop}. */
  private report(event: ApiEvent, outcome: SendOutcome): void {
    this.records.push({
      eventId: event.id,
      target: this.options.to.href,
      status: outcome.status,
      durationMs: outcome.durationMs,
      responseBody: outcome.responseBody,
      error: outcome.status === null ? (outcome.error ?? 'no answer') : outcome.error,
    });
    this.recordWake?.();
  }

  /** Sends the reports in order over HTTP; one that cannot reach hookscope is tried again (with a wait). */
  async recordLoop(): Promise<void> {
    for (let failures = 0; ;) {
      const input = this.records[0];
      if (!input) {
        if (this.stopped) return;
        await new Promise<void>((resolve) => (this.recordWake = resolve));
        this.recordWake = null;
        continue;
      }
      const outcome = await this.record(input);
      if (outcome === 'retry') {
        if (this.stopped) return;
        await sleep(Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures++, 6)));
        continue;
      }
      failures = 0;
      this.records.shift();
    }
  }

  /** One recordDelivery: done, dropped (the event is gone, or the input refused), or to retry. */
  private async record(input: Record<string, unknown>): Promise<'done' | 'dropped' | 'retry'> {
    let response: Response;
    try {
      response = await this.postRecord(input);
      if (response.status === 401 && !this.basic && this.options.token?.includes(':')) {
        this.basic = true;
        response = await this.postRecord(input);
      }
    } catch {
      return 'retry';
    }
    if (response.status === 401) {
      process.stderr.write('forward: hookscope refused the credentials for recordDelivery (check --token)\n');
      return 'dropped';
    }
    if (response.status >= 500) return 'retry';
    const body = (await response.json().catch(() => null)) as {
      errors?: { message: string; extensions?: { code?: string } }[];
    } | null;
    const errors = body?.errors ?? [];
    if (errors.length === 0 && response.ok) return 'done';
    if (errors.some((e) => e.extensions?.code === 'STORE_UNAVAILABLE')) return 'retry';
    process.stderr.write(
      `forward: answer of ${String(input.eventId)} not recorded: ${errors.map((e) => e.message).join('; ') || `HTTP ${response.status}`}\n`,
    );
    return 'dropped';
  }

  /** POSTs one recordDelivery. */
  private postRecord(input: Record<string, unknown>): Promise<Response> {
    return fetch(this.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authorization(this.options.token, this.basic) },
      body: JSON.stringify({ query: RECORD, variables: { input } }),
      signal: AbortSignal.timeout(10_000),
    });
  }

  /** Stops after the attempt under way; the reports already queued get a few seconds to go out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.recordWake?.();
    const deadline = Date.now() + 3_000;
    while (this.records.length > 0 && Date.now() < deadline) await sleep(50);
  }

  /** The last event queued, for the exit message. */
  describePosition(): string {
    return this.position ? `${this.position.id} (received ${this.position.receivedAt})` : 'none';
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const forwarder = new Forwarder(options);
  const filterText = Object.entries(options.filter)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  process.stderr.write(
    `forward: ${options.from.origin} → ${options.to.href}${filterText ? ` (only ${filterText})` : ''}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void forwarder.stop().then(() => {
      process.stderr.write(`forward: stopped; last event: ${forwarder.describePosition()}\n`);
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void forwarder.deliverLoop();
  void forwarder.recordLoop();
  try {
    await forwarder.connectLoop();
  } catch (err) {
    process.stderr.write(`forward: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

await main();
