import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, type JsonObject } from '../src/domain/types.js';
import { packageRoot } from '../src/shared/paths.js';
import type { EventStore } from '../src/store/types.js';

/** A process the bench started, with its output so far. */
export interface Proc {
  child: ChildProcess;
  url: string;
  pid: number;
  stdout: () => string;
  /** SIGTERM, then resolves once it exited. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `GET url` until it answers 2xx; resolves to the ms it took from `sinceMs`. */
export async function waitHttp(url: string, sinceMs: number, timeoutMs = 60_000): Promise<number> {
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return performance.now() - sinceMs;
    } catch {
      // not listening yet
    }
    if (performance.now() - sinceMs > timeoutMs) throw new Error(`${url} not up within ${timeoutMs} ms`);
    await sleep(5);
  }
}

function track(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return () => out;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** Starts the compiled server (dist/) in its own process, with the event-loop probe preloaded. */
export async function startHookscope(
  env: Record<string, string>,
  port: number,
): Promise<Proc & { startupMs: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', join(packageRoot, 'server/bench/loop-probe.mjs'), join(packageRoot, 'dist/server/main.js')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout = track(child);
  const url = `http://127.0.0.1:${port}`;
  const startupMs = await waitHttp(`${url}/healthz`, started).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${stdout()}`);
  });
  return {
    child,
    url,
    pid: child.pid ?? 0,
    stdout,
    startupMs,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** Starts the baseline server (bare node:http + plain ws). */
export async function startBaseline(port: number): Promise<Proc & { startupMs: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(packageRoot, 'server/bench/baseline.ts'), String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: packageRoot,
    },
  );
  const stdout = track(child);
  const url = `http://127.0.0.1:${port}`;
  while (!stdout().includes('LISTENING')) {
    if (child.exitCode !== null) throw new Error(`baseline exited: ${stdout()}`);
    await sleep(5);
  }
  return {
    child,
    url,
    pid: child.pid ?? 0,
    stdout,
    startupMs: performance.now() - started,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** Runs a bench helper script (TypeScript, via tsx) in its own process; resolves to the JSON it prints last. */
export async function runChild<T>(script: string, args: unknown): Promise<T> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(packageRoot, 'server/bench', script), JSON.stringify(args)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: packageRoot,
    },
  );
  const out = track(child);
  await exited(child);
  const line = out()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${script} printed no result:\n${out()}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

/** What one autocannon run (load.ts) measured. */
export interface LoadResult {
  requestsPerS: number;
  total: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** POSTs SAMPLE_BODY to `url` for `durationS` from its own process (50 connections unless told). */
export const load = (
  url: string,
  durationS: number,
  extra: { connections?: number; overallRate?: number } = {},
): Promise<LoadResult> =>
  runChild<LoadResult>('load.ts', {
    url,
    body: SAMPLE_BODY,
    connections: extra.connections ?? 50,
    durationS,
    ...extra,
  });

/** Asks the preloaded probe for the event-loop figures since the last ask (and resets them). */
export async function loopDelay(
  proc: Proc,
): Promise<{ maxMs: number; p99Ms: number; p999Ms: number; meanMs: number }> {
  const before = proc.stdout().split('HOOKSCOPE_LOOP ').length;
  proc.child.kill('SIGUSR2');
  for (let i = 0; i < 400; i++) {
    const parts = proc.stdout().split('HOOKSCOPE_LOOP ');
    if (parts.length > before) return JSON.parse((parts.at(-1) ?? '').split('\n')[0] ?? '{}') as never;
    await sleep(5);
  }
  throw new Error('no event-loop figures from the server');
}

/** Resident set size of a process in MB (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** The q-quantile (0..1) of some numbers. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** A realistic ~260-byte webhook body. */
export const SAMPLE_BODY = JSON.stringify({
  action: 'update',
  entity_type: 'task',
  time: '2021-12-21T08:51:22Z',
  id: '25589645-cd89-44bb-8954-6b4ee87aa57f',
  modified_fields: ['assignee', 'status'],
  payload: {
    name: 'task name',
    assignee_id: '5428abf6-0f4c-4448-b619-fc9f4327619b',
    status: 'in_progress',
    priority: 2,
  },
});

export { sleep };

/**
 * CPU time (user + system, this process) per event, in µs, of `events` inserts of {@link SAMPLE_BODY}
 * through `store`'s own writer, `commitEvents` at a time (asked together: one group commit each), 20 ms
 * apart so that the commits cross minute buckets as live traffic does. With `handPayload`, each insert is
 * handed its payload parsed from the body just before, as the intake hands it over. Closes the store.
 */
export async function storeInsertCpuPerEventUs(
  store: EventStore,
  events: number,
  commitEvents: number,
  { idPrefix, handPayload }: { idPrefix: string; handPayload: boolean },
): Promise<number> {
  const raw = Buffer.from(SAMPLE_BODY);
  const startMs = Date.now() - 3_600_000;
  const types = ['task', 'component', 'project', 'note', 'asset_version', 'user'];
  const started = process.cpuUsage();
  for (let i = 0; i < events; i += commitEvents) {
    const batch = [];
    for (let j = i; j < i + commitEvents; j++) {
      const event = {
        id: `${idPrefix}${String(j).padStart(10, '0')}`,
        receivedAtMs: startMs + j * 20,
        timeMs: startMs,
        action: ACTIONS[j % 3] ?? 'create',
        entityType: types[j % types.length] ?? 'task',
        entityId: `e${j % 500}`,
        modifiedFields: null,
        deliveryId: null,
        headers: { 'content-type': 'application/json' },
        raw,
      };
      batch.push(
        handPayload
          ? store.insertEvent(event, (JSON.parse(SAMPLE_BODY) as { payload: JsonObject }).payload)
          : store.insertEvent(event),
      );
    }
    await Promise.all(batch);
  }
  const used = process.cpuUsage(started);
  await store.close();
  return (used.user + used.system) / events;
}
