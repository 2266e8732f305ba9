import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLoader, verifyDatabase } from './helpers/crash.js';
import { spawnServer } from './helpers/process.js';

// main.ts's DRAIN_TIMEOUT_MS (importing main.ts would start a server in the test process).
const DRAIN_TIMEOUT_MS = 10_000;

it('drains on SIGTERM: in-flight requests finish or go unanswered (never a false 2xx), WebSockets close with 1012 (service restart, retried by clients), exit 0 in time', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-sigterm-'));
  try {
    const server = await spawnServer(dataDir);
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const closeCode = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.once('message', () => resolve());
    });
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { eventAdded { id } }' },
      }),
    );

    const acknowledged = new Map<string, Buffer>();
    const loader = startLoader(server.url, 8, acknowledged, 'term');
    while (acknowledged.size < 20) await new Promise((resolve) => setImmediate(resolve));
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const drainMs = Date.now() - signalledAt;
    await loader.stop();

    expect({ exit, logs: exit.code === 0 ? [] : server.logs().slice(-5) }).toEqual({
      exit: { code: 0, signal: null },
      logs: [],
    });
    expect(drainMs).toBeLessThan(DRAIN_TIMEOUT_MS);
    expect(await closeCode).toBe(1012);
    // Answers during the drain are acknowledgements (checked below) or 503s; anything else is a bug.
    expect(loader.statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
    // Every 2xx, including those answered during the drain, is in the file with its exact bytes.
    verifyDatabase(dataDir, acknowledged);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
