import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgStore } from '../../src/store/pg/index.js';
import type { EventStore, NewEvent } from '../../src/store/types.js';
import { createTestDatabase, randomName, type TestDatabase } from '../helpers/pg.js';

// How many round trips a group commit makes to PostgreSQL. Every replica's commits are serialised by the
// ingest lock, so each round trip taken while holding it (an answer to the replica, then its next
// statement) is time no other replica can commit in. The store reaches the real server here through a
// proxy that counts them: a round trip is the client sending again after an answer reached it. Every
// answer is held DELAY_MS, so that a client that pipelines its statements has long sent them all before
// any answer arrives (a client that waited for one would then count once more), whatever the machine's speed.

/** Added to every chunk PostgreSQL sends back; large against the time between pipelined writes. */
const DELAY_MS = 250;

/** A TCP proxy to `target` that forwards what the client sends at once, each answer DELAY_MS later. */
async function startDelayingProxy(
  target: URL,
): Promise<{ port: number; roundTrips: () => number; close: () => Promise<void> }> {
  const open = new Set<net.Socket>();
  let roundTrips = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    open.add(client).add(upstream);
    // A send after an answer (or the connection's first) starts a round trip.
    let answered = true;
    client.on('data', (chunk) => {
      if (answered) roundTrips += 1;
      answered = false;
      upstream.write(chunk);
    });
    // Timers of one duration fire in the order they were set: the answers keep their order.
    upstream.on('data', (chunk) =>
      setTimeout(() => {
        answered = true;
        if (client.writable) client.write(chunk);
      }, DELAY_MS),
    );
    upstream.on('close', () => setTimeout(() => client.destroy(), DELAY_MS));
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    roundTrips: () => roundTrips,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An event with a body of about 1 kB: a batch of 100 makes an insert statement of well over 16 kB. */
function bulkyEvent(n: number): NewEvent {
  const body = JSON.stringify({
    action: 'update',
    entity_type: 'task',
    payload: { id: `task-${n % 7}`, name: `task ${n}`, notes: 'n'.repeat(900) },
  });
  return {
    id: `rt-${n}`,
    receivedAtMs: Date.now(),
    timeMs: Date.now(),
    action: 'update',
    entityType: 'task',
    entityId: `task-${n % 7}`,
    modifiedFields: ['name'],
    deliveryId: `rt-${n}`,
    headers: { 'content-type': 'application/json' },
    raw: Buffer.from(body),
  };
}

describe('a group commit on PostgreSQL', () => {
  let database: TestDatabase | null = null;
  let proxy: Awaited<ReturnType<typeof startDelayingProxy>> | null = null;
  let store: EventStore | null = null;
  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await startDelayingProxy(new URL(database.url));
    const url = new URL(database.url);
    url.host = `127.0.0.1:${proxy.port}`;
    // As production runs it: database stamps, learning on, the default cap (an eviction statement per commit).
    store = await createPgStore({
      databaseUrl: url.toString(),
      maxRejections: 100,
      maxStoredEvents: 1_000_000,
      schema: randomName('trips'),
    });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
    await database?.drop();
  }, 60_000);

  it('takes three round trips (BEGIN; lock, lookups and head; writes and COMMIT), whatever its size', async () => {
    if (!store) throw new Error('the store did not open');
    const commit = async (from: number, count: number): Promise<number> => {
      const before = (proxy as NonNullable<typeof proxy>).roundTrips();
      const results = await Promise.all(
        Array.from({ length: count }, (_, i) => (store as EventStore).insertEvent(bulkyEvent(from + i))),
      );
      expect(new Set(results.map((r) => r.event.sequence)).size).toBe(count);
      expect(results.every((r) => !r.duplicate)).toBe(true);
      return (proxy as NonNullable<typeof proxy>).roundTrips() - before;
    };
    // The first commits prepare each statement (the driver describes it first: a round trip more).
    await commit(0, 100);
    await commit(100, 100);
    const small = await commit(200, 1);
    const large = await commit(300, 100);
    // (Each statement awaited on its own took seven; the shapes read unprepared took four, as the
    // driver describes such a statement first; the driver's default 16 kB write buffer, which stops its
    // pipelining behind the large insert until that answers, took five for the large batch.)
    expect(small).toBe(3);
    expect(large).toBe(3);
    const stored = await store.countEvents({}, 0);
    expect(stored).toBe(301);
  }, 60_000);
});
