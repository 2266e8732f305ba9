import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { Clock } from '../../src/shared/clock.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server.js';

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A real hookscope on a free port with its own temporary data folder. */
export interface TestServer {
  url: string;
  wsUrl: string;
  dataDir: string;
  clock: ManualClock | null;
  server: RunningServer;
  /** Stops the server (the data folder stays until `dispose`). */
  close(): Promise<void>;
  /** Stops the server and deletes its data folder. */
  dispose(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  env?: Record<string, string>;
  /** Reuse a data folder (to test restarts). */
  dataDir?: string;
  /** A manual clock, or null for the wall clock (the default). */
  clock?: ManualClock | null;
  webRoot?: string;
  /** Serve this page as the dashboard's index.html, from a temporary web root that `dispose` removes. */
  dashboardHtml?: string;
  /** Wraps the server's store (see `StartOptions.wrapStore`). */
  wrapStore?: StartOptions['wrapStore'];
}

/** Starts a real server (in this process) on port 0 with a temporary SQLite file. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hookscope-test-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    ...options.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
  });
  const clock = options.clock ?? null;
  const ownWebRoot =
    options.dashboardHtml === undefined ? null : mkdtempSync(join(tmpdir(), 'hookscope-web-'));
  if (ownWebRoot) writeFileSync(join(ownWebRoot, 'index.html'), options.dashboardHtml ?? '');
  const webRoot = ownWebRoot ?? options.webRoot;
  const server = await startServer(config, {
    ...(clock ? { clock } : {}),
    ...(options.wrapStore ? { wrapStore: options.wrapStore } : {}),
    webRoot,
  });
  const url = server.url;
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    dataDir,
    clock,
    server,
    close: () => server.close(),
    async dispose() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (ownWebRoot) rmSync(ownWebRoot, { recursive: true, force: true });
    },
  };
}

/** The two example events of the webhook API. */
export const EXAMPLE_CREATE = {
  action: 'create',
  entity_type: 'component',
  time: '2021-12-20T10:59:55Z',
  payload: { id: '25589645-cd89-44bb-8954-6b4ee87aa57f', name: 'image name', file_type: 'jpeg' },
};
/** See {@link EXAMPLE_CREATE}. */
export const EXAMPLE_UPDATE = {
  action: 'update',
  entity_type: 'task',
  time: '2021-12-21T08:51:22Z',
  id: '25589645-cd89-44bb-8954-6b4ee87aa57f',
  modified_fields: ['assignee'],
  payload: { name: 'task name', assignee_id: '5428abf6-0f4c-4448-b619-fc9f4327619b' },
};

/** POSTs a body (object → JSON) to the webhook. */
export async function postEvent(
  base: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${base}/webhooks/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

/** POSTs an event that must be stored: fails the test unless it is answered 201, returns the new id. */
export async function postCreated(
  base: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await postEvent(base, body, headers);
  expect(response.status, JSON.stringify(response.json)).toBe(201);
  return String(response.json.id);
}

/** Runs a GraphQL operation over HTTP; fails the test on transport errors, returns data and errors. */
export async function graphql<T = Record<string, unknown>>(
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data: T;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

/** A graphql-ws client over a real WebSocket. */
export function wsClient(wsUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams,
  });
}

/** Subscribes and collects results; `next()` awaits the next one (rejects after `timeoutMs`). */
export function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const received: T[] = [];
  const waiters: ((value: T) => void)[] = [];
  let failure: unknown = null;
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) failure = result.errors;
        const data = result.data as T;
        const waiter = waiters.shift();
        if (waiter) waiter(data);
        else received.push(data);
      },
      error: (error) => {
        failure = error;
      },
      complete: () => undefined,
    },
  );
  return {
    dispose,
    get failure() {
      return failure;
    },
    next(timeoutMs = 5_000): Promise<T> {
      const ready = received.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no subscription result within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
  };
}

/** Resolves once the server has acknowledged the connection (so that later publishes reach the subscriber). */
export function connected(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
  });
}

/** Polls a condition until it holds (or fails after `timeoutMs`): for states with no event to await. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
