import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseWebhookBody } from '../server/src/domain/validate.js';

const SCRIPT = fileURLToPath(new URL('./mock.ts', import.meta.url));

interface Received {
  contentType: string | undefined;
  webhookId: string | undefined;
  ok: boolean;
}

/** A stand-in webhook endpoint that validates like hookscope and answers `status(n)` for the n-th request. */
interface Receiver {
  url: string;
  received: Received[];
  /** Stops listening (the fixture closes it after the test otherwise). */
  close(): Promise<void>;
}

async function listenReceiver(status: (n: number) => number): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const parsed = parseWebhookBody(Buffer.concat(chunks));
      received.push({
        contentType: request.headers['content-type'],
        webhookId: request.headers['webhook-id'] as string | undefined,
        ok: parsed.ok,
      });
      response.writeHead(parsed.ok ? status(received.length) : 422, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: String(received.length) }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/event`,
    received,
    async close() {
      if (!server.listening) return;
      server.close();
      await once(server, 'close');
    },
  };
}

/** `startReceiver(status)` in a test: a receiver that is closed when the test ends. */
const it = test.extend(
  'startReceiver',
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  async ({}, { onCleanup }) => {
    const receivers: Receiver[] = [];
    onCleanup(async () => {
      for (const receiver of receivers) await receiver.close();
    });
    return async (status: (n: number) => number): Promise<Receiver> => {
      const receiver = await listenReceiver(status);
      receivers.push(receiver);
      return receiver;
    };
  },
);

function runMock(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run mock', () => {
  it('sends valid events at the requested rate with unique webhook-ids and reports the statuses', async ({
    startReceiver,
  }) => {
    const { url, received } = await startReceiver(() => 201);
    const result = await runMock(['--url', url, '--count', '12', '--rate', '20', '--seed', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sent 12 in [\d.]+ s \([\d.]+\/s\): 201×12\n$/);
    expect(received).toHaveLength(12);
    expect(received.every((r) => r.ok && r.contentType === 'application/json')).toBe(true);
    expect(new Set(received.map((r) => r.webhookId)).size).toBe(12);
    for (const r of received) expect(r.webhookId).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    // 12 events at 20/s: the last is not due before 550 ms (11 intervals), so a paced run cannot report less,
    // while a burst would. Only this lower bound is checked: a loaded machine can only make the run slower.
    const seconds = Number(/ in ([\d.]+) s /.exec(result.stdout)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(0.55);
  });

  it('exits 1 and shows the refusal when the server answers a non-2xx', async ({ startReceiver }) => {
    const { url } = await startReceiver((n) => (n === 2 ? 500 : 201));
    const result = await runMock(['--url', url, '--count', '4', '--rate', '100']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('201×3');
    expect(result.stdout).toContain('500×1');
  });

  it('exits 1 when the server cannot be reached', async ({ startReceiver }) => {
    const { url, close } = await startReceiver(() => 201);
    await close();
    const result = await runMock(['--url', url, '--count', '2', '--rate', '100']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('errors: ECONNREFUSED×2');
  });

  it.each([[['--count', '0']], [['--rate', 'fast']], [['--url', 'ftp://x']], [['--bogus']]])(
    'exits 2 with the usage for bad arguments %j',
    async (args) => {
      const result = await runMock(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage: npm run mock');
    },
  );
});
