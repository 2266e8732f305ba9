import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/pg.js';
import { spawnReplica } from './helpers/process.js';
import { TEST_REDIS_URL } from './helpers/redis.js';
import { collect, connected, postCreated, wsClient } from './helpers/server.js';

// Two real server processes on one fresh PostgreSQL database, woken over LISTEN/NOTIFY and over Redis:
// what a subscriber on B sees of the webhooks A acknowledges.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const task = (id: string, n: number) => ({
  action: n === 0 ? 'create' : 'update',
  entity_type: 'task',
  time: '2026-01-01T00:00:00Z',
  ...(n === 0 ? {} : { id, modified_fields: ['n'] }),
  payload: { id, n },
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

describe.each([
  ['LISTEN/NOTIFY', {}],
  ['Redis pub/sub', { REDIS_URL: TEST_REDIS_URL }],
])('two server processes on one PostgreSQL database, woken over %s', (channel, extraEnv) => {
  it('a subscriber on B receives what A and B acknowledge, in commit order, and an entity read on B reflects A at once; prints A-ack -> B-delivery', async () => {
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const env = { DATABASE_URL: database.url, ...extraEnv };
    // One after the other: the first applies the migrations (both would wait on the migration lock).
    const a = await spawnReplica(env, cleanup);
    const b = await spawnReplica(env, cleanup);
    const client = wsClient(`${b.url.replace(/^http/, 'ws')}/graphql`);
    cleanup.push(async () => void client.dispose());
    await connected(client);
    const onB = collect<{ eventAdded: { id: string } }>(client, 'subscription { eventAdded { id } }');
    // The subscribe has reached B once an event posted to B itself comes back.
    const probe = await postCreated(b.url, task(randomUUID(), 0));
    expect((await onB.next(10_000)).eventAdded.id).toBe(probe);

    const entityId = randomUUID();
    const latenciesMs: number[] = [];
    const posted: string[] = [];
    for (let n = 0; n < 200; n++) {
      const id = await postCreated(a.url, task(entityId, n));
      const ackedAt = performance.now();
      const [aggregate, delivered] = await Promise.all([
        fetch(`${b.url}/aggregates/${entityId}`).then(
          async (response) => (await response.json()) as { state: { n: number } },
        ),
        onB.next().then((message) => {
          latenciesMs.push(performance.now() - ackedAt);
          return message;
        }),
      ]);
      expect(delivered.eventAdded.id).toBe(id);
      expect(aggregate.state.n).toBe(n);
      posted.push(id);
      // Every tenth round B takes a webhook too, concurrently with A: both streams stay in one order.
      if (n % 10 === 9) {
        const both = await Promise.all([
          postCreated(a.url, task(randomUUID(), 0)),
          postCreated(b.url, task(randomUUID(), 0)),
        ]);
        const sql = postgres(database.url, { max: 1, onnotice: () => undefined });
        const order = await sql<
          { id: string }[]
        >`select id from events where id in ${sql(both)} order by sequence`;
        await sql.end();
        for (const row of order) expect((await onB.next()).eventAdded.id).toBe(row.id);
      }
    }
    console.log(
      `A-ack -> B-delivery, two processes on PostgreSQL over ${channel}, 200 sequential events: p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(latenciesMs, 99).toFixed(1)} ms, max ${Math.max(...latenciesMs).toFixed(1)} ms`,
    );
  }, 120_000);
});
