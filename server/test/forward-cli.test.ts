import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { EXAMPLE_CREATE, postCreated, waitFor } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'forward-cli-test-token-0123456789';

/** What the handler saw of one request. */
interface Received {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  /** The `n` the test put in the body's payload. */
  n: number;
  status: number | 'stalled';
}

/**
 * A real local handler (node:http) that answers the k-th request for event n with `plan(n, k)`: a status
 * or 'stall' (no answer until the test ends).
 */
async function startHandler(plan: (n: number, attempt: number) => number | 'stall', port = 0) {
  const received: Received[] = [];
  const stalled: ServerResponse[] = [];
  const attempts = new Map<number, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const n = (JSON.parse(raw.toString('utf8')) as { payload: { n: number } }).payload.n;
      const attempt = (attempts.get(n) ?? 0) + 1;
      attempts.set(n, attempt);
      const answer = plan(n, attempt);
      received.push({ raw, headers: request.headers, n, status: answer === 'stall' ? 'stalled' : answer });
      if (answer === 'stall') {
        stalled.push(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' });
      response.end(`handler says ${answer} to ${n}`);
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/webhook?from=hookscope`,
    received,
    /** The events answered 2xx, in the order they were. */
    accepted: () => received.filter((r) => typeof r.status === 'number' && r.status < 300).map((r) => r.n),
    async close() {
      for (const response of stalled) response.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function freePort(): Promise<number> {
  const probe = createNetServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

/** The CLI as its own process, with its output kept. */
function startForward(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/forward.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** A task event whose payload carries `n`, with a unique delivery id. */
const taskEvent = (n: number) => ({
  action: 'create',
  entity_type: 'task',
  time: '2021-12-20T10:59:55Z',
  payload: { id: `task-${n}`, n, text: `naïve ${n}` },
});

interface DeliveryRow {
  status: number | null;
  error: string | null;
  target: string;
  responseBody: string | null;
}

async function deliveriesOf(url: string, id: string): Promise<DeliveryRow[]> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      query: 'query($id: ID!) { event(id: $id) { deliveries { status error target responseBody } } }',
      variables: { id },
    }),
  });
  const body = (await response.json()) as { data: { event: { deliveries: DeliveryRow[] } | null } };
  return body.data.event?.deliveries ?? [];
}

describe('npm run forward', () => {
  it(
    'forwards every event once, in order, through handler failures, a stall and a server restart, and records each answer',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-forward-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const port = await freePort();
      const env = { PORT: String(port), AUTH_TOKEN: TOKEN };
      let server: ServerProcess = await spawnServer(dataDir, env);
      cleanups.push(() => stopProcess(server.child));
      const auth = { authorization: `Bearer ${TOKEN}` };
      // Before the forwarder starts: not forwarded (it forwards what is new).
      await postCreated(server.url, taskEvent(0), auth);

      // Event 2 fails twice, event 3 stalls once, event 5 fails every time (given up, then moved on).
      const handler = await startHandler((n, attempt) => {
        if (n === 2 && attempt <= 2) return 503;
        if (n === 3 && attempt === 1) return 'stall';
        if (n === 5) return 500;
        return n === 4 ? 202 : 201;
      });
      cleanups.push(() => handler.close());
      const forward = startForward([
        '--from',
        server.url,
        '--to',
        handler.url,
        '--token',
        TOKEN,
        '--filter',
        'entityType=task',
        '--retries',
        '2',
        '--retry-delay',
        '50ms',
        // Long against a loaded machine's delays (a handler that answers at once must never time out),
        // short enough for the stalled attempt not to hold the test up.
        '--timeout',
        '3s',
      ]);
      cleanups.push(() => stopProcess(forward.child));
      await waitFor(() => forward.stderr().includes('forward: connected'), 30_000);

      const ids = new Map<number, string>();
      const post = async (n: number) => ids.set(n, await postCreated(server.url, taskEvent(n), auth));
      for (const n of [1, 2, 3]) await post(n);
      // Not a task: filtered out.
      await postCreated(server.url, EXAMPLE_CREATE, auth);
      await waitFor(() => handler.accepted().includes(3), 30_000);

      // The server goes away (every socket with it) and comes back on the same port; events 4-6 arrive
      // before the forwarder can have reconnected, so only its catch-up can find them: the subscription
      // resumed after the sequence of the last event it queued, which the server replays from.
      server.child.kill('SIGTERM');
      await server.exited;
      await waitFor(() => forward.stderr().includes('disconnected'), 30_000);
      server = await spawnServer(dataDir, env);
      for (const n of [4, 5, 6]) await post(n);
      await waitFor(() => forward.stderr().match(/forward: connected/g)?.length === 2, 60_000);
      expect(forward.stderr()).toMatch(/resuming after sequence \d+/);
      for (const n of [7, 8]) await post(n);
      await waitFor(() => handler.accepted().includes(8), 30_000);

      // Every event once (5 was given up on: three attempts, none accepted), in the order committed.
      expect(handler.accepted()).toEqual([1, 2, 3, 4, 6, 7, 8]);
      expect(handler.received.map((r) => r.n)).toEqual([1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 6, 7, 8]);
      expect(forward.stdout()).toContain('gave up after 3 attempts');
      // The exact body, and the original headers less hop-by-hop and credential ones.
      const first = handler.received[0] as Received;
      expect(first.raw.toString('utf8')).toBe(JSON.stringify(taskEvent(1)));
      expect(first.headers.authorization).toBeUndefined();
      expect(first.headers['content-type']).toBe('application/json');
      expect(first.headers.host).toBe(new URL(handler.url).host);

      // Every answer reported back, oldest first.
      const target = handler.url;
      await waitFor(async () => (await deliveriesOf(server.url, ids.get(8) as string)).length === 1, 30_000);
      const answers = async (n: number) =>
        (await deliveriesOf(server.url, ids.get(n) as string)).map((d) => d.status ?? d.error);
      expect(await answers(1)).toEqual([201]);
      expect(await answers(2)).toEqual([503, 503, 201]);
      const stall = await answers(3);
      expect(stall).toHaveLength(2);
      expect(String(stall[0])).toMatch(/timed out after 3000 ms/);
      expect(stall[1]).toBe(201);
      expect(await answers(4)).toEqual([202]);
      expect(await answers(5)).toEqual([500, 500, 500]);
      const recorded = await deliveriesOf(server.url, ids.get(4) as string);
      expect(recorded[0]).toMatchObject({ target, responseBody: 'handler says 202 to 4' });
    },
  );

  it(
    'keeps retrying a handler that is not listening yet, and delivers once it is, each refusal recorded',
    { timeout: 90_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-forward-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await spawnServer(dataDir, { AUTH_TOKEN: TOKEN });
      cleanups.push(() => stopProcess(server.child));
      const handlerPort = await freePort();
      const forward = startForward([
        ...['--from', server.url, '--to', `http://127.0.0.1:${handlerPort}/webhook`, '--token', TOKEN],
        ...['--retries', '20', '--retry-delay', '50ms'],
      ]);
      cleanups.push(() => stopProcess(forward.child));
      await waitFor(() => forward.stderr().includes('forward: connected'), 30_000);
      const id = await postCreated(server.url, taskEvent(1), { authorization: `Bearer ${TOKEN}` });
      await waitFor(() => (forward.stdout().match(/ECONNREFUSED/g)?.length ?? 0) >= 2, 30_000);

      const handler = await startHandler(() => 201, handlerPort);
      cleanups.push(() => handler.close());
      await waitFor(() => handler.accepted().includes(1), 30_000);
      await waitFor(async () => (await deliveriesOf(server.url, id)).some((d) => d.status === 201), 30_000);
      const recorded = await deliveriesOf(server.url, id);
      expect(recorded.at(-1)?.status).toBe(201);
      const refusals = recorded.slice(0, -1);
      expect(refusals.length).toBeGreaterThanOrEqual(2);
      for (const refusal of refusals) {
        expect(refusal.status).toBeNull();
        expect(refusal.error).toContain('ECONNREFUSED');
      }
      expect(handler.accepted()).toEqual([1]);
    },
  );

  it(
    'refuses bad flags with the usage, and wrong credentials with exit code 1',
    { timeout: 60_000 },
    async () => {
      const run = (args: string[]) =>
        new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            ['--import', 'tsx', 'scripts/forward.ts', ...args],
            { cwd: ROOT, timeout: 30_000 },
            (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
          ),
        );
      for (const [args, message] of [
        [['--to', 'http://127.0.0.1:1/x'], '--from is required'],
        [['--from', 'ftp://x', '--to', 'http://127.0.0.1:1/x'], '--from must be http or https'],
        [
          ['--from', 'http://x', '--to', 'http://127.0.0.1:1/x', '--filter', 'color=red'],
          '--filter must be KEY=VALUE',
        ],
        [
          ['--from', 'http://x', '--to', 'http://127.0.0.1:1/x', '--filter', 'action=move'],
          '--filter action',
        ],
        [['--from', 'http://x', '--to', 'http://127.0.0.1:1/x', '--retries', '-1'], '--retries'],
        [
          ['--from', 'http://x', '--to', 'http://127.0.0.1:1/x', '--timeout', 'soon'],
          '--timeout must be a duration',
        ],
      ] as const) {
        const result = await run([...args]);
        expect({ args, code: result.code }).toEqual({ args, code: 2 });
        expect(result.stderr).toContain(message);
        expect(result.stderr).toContain('usage: npm run forward');
      }

      const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-forward-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await spawnServer(dataDir, { AUTH_TOKEN: TOKEN });
      cleanups.push(() => stopProcess(server.child));
      const wrong = await run([
        '--from',
        server.url,
        '--to',
        'http://127.0.0.1:1/x',
        '--token',
        'not-the-token-at-all',
      ]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('hookscope refused the credentials: check --token');
    },
  );
});
