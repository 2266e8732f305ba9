import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Wakeup } from '../src/live/wakeup.js';
import { createPgWakeup } from '../src/live/wakeup-pg.js';
import { createRedisWakeup } from '../src/live/wakeup-redis.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import { startHandler } from './helpers/handler.js';
import { collect, connected, graphql, postCreated, waitFor, wsClient } from './helpers/server.js';
import { TEST_REDIS_URL as REDIS_URL } from './helpers/redis.js';

// Two replicas of the live path (tailer + wake-up channel) in this process, on one SQLite file (the store
// both read) and a real channel between them: what holds here holds for the same wiring on PostgreSQL.

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const channels: Record<string, (channel: string) => Promise<Wakeup>> = {
  'PostgreSQL LISTEN/NOTIFY': (channel) => createPgWakeup({ databaseUrl: DATABASE_URL, channel }),
  'Redis pub/sub': (channel) => createRedisWakeup({ redisUrl: REDIS_URL, channel }),
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function startReplicas(
  open: (channel: string) => Promise<Wakeup>,
  env: Record<string, string> = {},
): Promise<{
  a: RunningServer;
  b: RunningServer;
  dataDir: string;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-replicas-'));
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const channel = `hs_replicas_${randomBytes(6).toString('hex')}`;
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
  const a = await startServer(config, { wakeup: await open(channel) });
  cleanup.push(() => a.close());
  const b = await startServer(config, { wakeup: await open(channel) });
  cleanup.push(() => b.close());
  return { a, b, dataDir };
}

/** The ids of every stored event in sequence (commit) order, read from the file itself. */
async function commitOrder(dataDir: string): Promise<string[]> {
  const store = createSqliteStore({ dataDir, maxRejections: 10 });
  try {
    return (await store.eventsAfterSequence('0', 10_000, 0)).map((event) => event.id);
  } finally {
    await store.close();
  }
}

const task = (id: string, n: number) => ({
  action: n === 0 ? 'create' : 'update',
  entity_type: 'task',
  time: '2026-01-01T00:00:00Z',
  ...(n === 0 ? {} : { id, modified_fields: ['n'] }),
  payload: { id, n },
});

/** p-th percentile (0-100) of `values`. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

describe.each(Object.entries(channels))('two replicas woken over %s', (_name, open) => {
  it('every subscriber, on either replica, receives the events posted to both once each, in commit order', async () => {
    const { a, b, dataDir } = await startReplicas(open);
    const clients = [a, b].map((server) => wsClient(`${server.url.replace(/^http/, 'ws')}/graphql`));
    cleanup.push(async () => clients.forEach((client) => void client.dispose()));
    await Promise.all(clients.map(connected));
    const subscriptions = clients.map((client) =>
      collect<{ eventAdded: { id: string } }>(client, 'subscription { eventAdded { id } }'),
    );
    await Promise.all([a, b].map((server) => waitForSubscriber(server)));

    const posted: string[] = [];
    for (let round = 0; round < 10; round++) {
      // Concurrent posts to both replicas: the commit order is the file's, not the test's.
      const ids = await Promise.all(
        [a, b, a, b].map((server) => postCreated(server.url, task(randomUUID(), 0))),
      );
      posted.push(...ids);
    }
    const order = await commitOrder(dataDir);
    expect([...order].sort()).toEqual([...posted].sort());
    for (const subscription of subscriptions) {
      const received: string[] = [];
      while (received.length < order.length) received.push((await subscription.next()).eventAdded.id);
      expect(received).toEqual(order);
    }
  });

  it('a subscriber that moves from A to B resumes after its cursor: no gap, no duplicate, in commit order', async () => {
    const { a, b, dataDir } = await startReplicas(open);
    type Added = { eventAdded: { id: string; sequence: string } };
    const query = 'subscription ($after: String) { eventAdded(after: $after) { id sequence } }';
    const onA = wsClient(`${a.url.replace(/^http/, 'ws')}/graphql`);
    await connected(onA);
    const first = collect<Added>(onA, query);
    await waitForSubscriber(a);
    for (let i = 0; i < 5; i++) await postCreated(i % 2 ? b.url : a.url, task(randomUUID(), 0));
    const seen: Added['eventAdded'][] = [];
    for (let i = 0; i < 5; i++) seen.push((await first.next()).eventAdded);
    await onA.dispose();
    // While it is away both replicas take webhooks; then it comes back, on the other replica.
    for (let i = 0; i < 6; i++) await postCreated(i % 2 ? b.url : a.url, task(randomUUID(), 0));
    const onB = wsClient(`${b.url.replace(/^http/, 'ws')}/graphql`);
    cleanup.push(async () => void onB.dispose());
    await connected(onB);
    const resumed = collect<Added>(onB, query, { after: seen.at(-1)?.sequence });
    for (let i = 0; i < 6; i++) seen.push((await resumed.next()).eventAdded);
    for (let i = 0; i < 4; i++) await postCreated(i % 2 ? b.url : a.url, task(randomUUID(), 0));
    for (let i = 0; i < 4; i++) seen.push((await resumed.next()).eventAdded);
    expect(seen.map((event) => event.id)).toEqual(await commitOrder(dataDir));
    expect(seen.map((event) => event.sequence)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 1)));
  });

  it('FORWARD_TO forwards each event once, from the replica that took it, though both publish it', async () => {
    const handler = await startHandler();
    cleanup.push(() => handler.close());
    const { a, b } = await startReplicas(open, { FORWARD_TO: `${handler.url}/hook` });
    const posted: string[] = [];
    for (let i = 0; i < 6; i++) {
      const entityId = randomUUID();
      await postCreated(i % 2 === 0 ? a.url : b.url, task(entityId, 0));
      posted.push(entityId);
    }
    // Each forwarder sends in commit order: once each replica's last event has arrived, a duplicate of
    // any earlier event would have arrived before it.
    const lastA = randomUUID();
    const lastB = randomUUID();
    await postCreated(a.url, task(lastA, 0));
    await postCreated(b.url, task(lastB, 0));
    posted.push(lastA, lastB);
    const forwardedIds = (): string[] =>
      handler.requests.map(
        (request) => (JSON.parse(request.body.toString()) as { payload: { id: string } }).payload.id,
      );
    await waitForCondition(() => forwardedIds().includes(lastA) && forwardedIds().includes(lastB));
    expect([...forwardedIds()].sort()).toEqual([...posted].sort());
  });

  it("a delete on A drops the fold B cached and reaches B's eventsDeleted subscribers", async () => {
    const { a, b } = await startReplicas(open);
    const entityId = randomUUID();
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push(await postCreated(a.url, task(entityId, n)));
    const aggregate = async (server: RunningServer) =>
      (await (await fetch(`${server.url}/aggregates/${entityId}`)).json()) as { version: number };
    // B folds and caches the entity; the cache's fingerprint (first and last event) will not change.
    expect((await aggregate(b)).version).toBe(3);
    const client = wsClient(`${b.url.replace(/^http/, 'ws')}/graphql`);
    cleanup.push(async () => void client.dispose());
    await connected(client);
    const deletedOnB = collect<{ eventsDeleted: { eventCount: number; eventIds: string[] | null } }>(
      client,
      'subscription { eventsDeleted { eventCount eventIds } }',
    );
    await waitFor(() => b.subscriberCount('eventsDeleted') === 1);
    const deleted = await graphql(a.url, 'mutation ($id: ID!) { deleteEvent(id: $id) { eventCount } }', {
      id: ids[1],
    });
    expect(deleted.data).toEqual({ deleteEvent: { eventCount: 1 } });
    expect(await deletedOnB.next()).toEqual({ eventsDeleted: { eventCount: 1, eventIds: [ids[1]] } });
    expect(await aggregate(b)).toEqual(await aggregate(a));
    expect((await aggregate(b)).version).toBe(2);
  });

  it('an entity read on B reflects an event acknowledged by A at once; prints the A-ack to B-delivery latency', async () => {
    const { a, b } = await startReplicas(open);
    const entityId = randomUUID();
    const client = wsClient(`${b.url.replace(/^http/, 'ws')}/graphql`);
    cleanup.push(async () => void client.dispose());
    await connected(client);
    const onB = collect<{ eventAdded: { id: string } }>(client, 'subscription { eventAdded { id } }');
    await waitForSubscriber(b);
    const created = await postCreated(a.url, task(entityId, 0));
    expect((await onB.next()).eventAdded.id).toBe(created);

    const latenciesMs: number[] = [];
    for (let n = 1; n <= 100; n++) {
      // B's fold cache holds the entity as of n - 1 before A takes event n.
      const before = (await (await fetch(`${b.url}/aggregates/${entityId}`)).json()) as {
        state: { n: number };
      };
      expect(before.state.n).toBe(n - 1);
      const id = await postCreated(a.url, task(entityId, n));
      const ackedAt = performance.now();
      // The read on B and the delivery to B's subscriber, both right after A's 201.
      const [after, delivered] = await Promise.all([
        fetch(`${b.url}/aggregates/${entityId}`).then(
          async (response) => (await response.json()) as { state: { n: number } },
        ),
        onB.next().then((message) => {
          latenciesMs.push(performance.now() - ackedAt);
          return message;
        }),
      ]);
      expect(after.state.n).toBe(n);
      expect(delivered.eventAdded.id).toBe(id);
    }
    console.log(
      `A-ack -> B-delivery over ${_name} (SQLite file shared, 100 sequential events): p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(latenciesMs, 99).toFixed(1)} ms`,
    );
  });
});

/** Resolves once the server counts a subscriber on eventAdded (the subscribe reached it). */
async function waitForSubscriber(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (server.subscriberCount('eventAdded') === 0) {
    if (Date.now() > deadline) throw new Error('no eventAdded subscriber within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Polls `condition` until it holds (5 s at most): for a state no event announces. */
async function waitForCondition(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
