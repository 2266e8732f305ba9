import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnServer } from './helpers/process.js';
import { EXAMPLE_CREATE, postCreated, waitFor } from './helpers/server.js';

/** GET /readyz: the status and the JSON body. */
async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Whether a fresh connection to the port is refused (the server stopped listening). */
function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Everything a raw socket receives until the peer ends it. */
function readAll(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

it('SIGTERM: /readyz turns 503 at once, the replica serves on for DRAIN_DELAY, stops accepting, answers the request in flight with 201, then closes WebSockets with 1012 and exits 0', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-drain-'));
  try {
    const server = await spawnServer(dataDir, { DRAIN_DELAY: '1s' });
    expect(await readyz(server.url)).toEqual({ status: 200, body: { status: 'ready' } });

    // A subscriber, to see which events reach it and how its socket ends.
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const delivered: string[] = [];
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.once('message', () => resolve());
    });
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        payload?: { data?: { eventAdded?: { id: string } } };
      };
      const id = message.payload?.data?.eventAdded?.id;
      if (message.type === 'next' && id) delivered.push(id);
    });
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { eventAdded { id } }' },
      }),
    );
    const before = await postCreated(server.url, EXAMPLE_CREATE);
    await waitFor(() => delivered.includes(before));

    // A webhook in flight across the whole drain: headers and half the body now, the rest at the end.
    const body = Buffer.from(
      JSON.stringify({ ...EXAMPLE_CREATE, payload: { ...EXAMPLE_CREATE.payload, id: 'in-flight' } }),
    );
    const { hostname, port } = new URL(server.url);
    const inFlight = connect(Number(port), hostname);
    await new Promise((resolve) => inFlight.once('connect', resolve));
    const answer = readAll(inFlight);
    inFlight.write(
      `POST /webhooks/event HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\nconnection: close\r\n\r\n`,
    );
    inFlight.write(body.subarray(0, 10));

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await waitFor(async () => (await readyz(server.url)).status === 503);
    expect(await readyz(server.url)).toEqual({
      status: 503,
      body: { status: 'draining', reason: 'the server is shutting down' },
    });
    // Unready but still serving (the balancer has not noticed yet): a new webhook is committed and delivered.
    const during = await postCreated(server.url, EXAMPLE_CREATE);
    expect(Date.now() - signalledAt).toBeLessThan(1_000);
    await waitFor(() => delivered.includes(during));

    // After DRAIN_DELAY the port stops accepting, while the request in flight is still being read.
    await waitFor(() => refusesConnections(server.url), 5_000);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1_000);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    inFlight.end(body.subarray(10));
    const response = await answer;
    expect(response).toMatch(/^HTTP\/1\.1 201 /);
    const inFlightId = (JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { id: string }).id;

    // The sockets close only after that last request: its event still reached the subscriber.
    expect(await closed).toBe(1012);
    expect(delivered).toEqual([before, during, inFlightId]);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
