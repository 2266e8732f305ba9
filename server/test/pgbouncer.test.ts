import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closePgContext, openPgContext } from '../src/store/pg/open.js';
import { createTestDatabase } from './helpers/pg.js';
import { startPgBouncer } from './helpers/pgbouncer.js';
import { spawnReplica } from './helpers/process.js';
import { TEST_REDIS_URL } from './helpers/redis.js';
import { collect, connected, graphql, postEvent, wsClient } from './helpers/server.js';

// Two real server processes whose DATABASE_URL goes through a real PgBouncer (Debian's) in transaction
// pooling mode, with fewer server connections than clients, DATABASE_DIRECT_URL for the migrations and
// the maintenance, and REDIS_URL for the wake-up: the set-up the issue names for sites whose PgBouncer
// runs in transaction mode. Through it: concurrent webhooks on both, a webhook-id sent to both, a
// subscriber on B, a search, a delete.

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const created = (marker: string) => ({
  action: 'create',
  entity_type: 'task',
  time: '2026-01-01T00:00:00Z',
  payload: { id: randomUUID(), title: `bouncer ${marker}` },
});

describe('behind PgBouncer in transaction pooling mode', () => {
  it('two replicas take webhooks, dedupe across them, stream in commit order, search and delete', async () => {
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const bouncer = await startPgBouncer(3);
    cleanup.push(() => bouncer.stop());
    const env = {
      DATABASE_URL: bouncer.via(database.url),
      DATABASE_DIRECT_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      // The maintenance (its session lock over DATABASE_DIRECT_URL) runs every second meanwhile.
      PURGE_INTERVAL: '1s',
    };
    const a = await spawnReplica(env, cleanup);
    const b = await spawnReplica(env, cleanup);

    const client = wsClient(`${b.url.replace(/^http/, 'ws')}/graphql`);
    cleanup.push(async () => void client.dispose());
    await connected(client);
    const onB = collect<{ eventAdded: { id: string; sequence: string } }>(
      client,
      'subscription { eventAdded { id sequence } }',
    );
    const probe = await postEvent(b.url, created('probe'));
    expect(probe.status).toBe(201);
    const first = (await onB.next(10_000)).eventAdded;
    expect(first.id).toBe(probe.json.id);

    // 120 webhooks, 8 at a time, alternating replicas; every tenth webhook-id is sent to both at once.
    const ids: string[] = [];
    for (let round = 0; round < 15; round++) {
      const answers = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const n = round * 8 + i;
          const deliveryId = `bouncer-${n}`;
          const body = created(String(n));
          if (n % 10 !== 0) {
            return [await postEvent(n % 2 ? a.url : b.url, body, { 'webhook-id': deliveryId })];
          }
          return Promise.all([a.url, b.url].map((url) => postEvent(url, body, { 'webhook-id': deliveryId })));
        }),
      );
      for (const pair of answers) {
        const statuses = pair.map((answer) => answer.status).sort();
        expect(statuses).toEqual(pair.length === 1 ? [201] : [200, 201]);
        // The same id, whichever replica answered first.
        expect(new Set(pair.map((answer) => answer.json.id)).size).toBe(1);
        ids.push(String(pair[0]?.json.id));
      }
    }

    // B's subscriber: every event once, positions one after the other from the probe's.
    const streamed: { id: string; sequence: string }[] = [];
    for (let i = 0; i < ids.length; i++) streamed.push((await onB.next(10_000)).eventAdded);
    expect(streamed.map((e) => BigInt(e.sequence) - BigInt(first.sequence))).toEqual(
      ids.map((_, i) => BigInt(i + 1)),
    );
    expect(new Set(streamed.map((e) => e.id))).toEqual(new Set(ids));

    // Reads through the bouncer on A: a count, a search (statements not prepared), a delete.
    const total = await graphql<{ events: { totalCount: number } }>(a.url, '{ events { totalCount } }');
    expect(total.data.events.totalCount).toBe(ids.length + 1);
    const found = await graphql<{ events: { edges: { node: { id: string } }[] } }>(
      a.url,
      'query ($q: String!) { events(filter: { search: $q }) { edges { node { id } } } }',
      { q: 'bouncer 17"' },
    );
    expect(found.errors).toBeUndefined();
    expect(found.data.events.edges).toHaveLength(1);
    const target = found.data.events.edges[0]?.node.id as string;
    const removed = await graphql<{ deleteEvent: { eventCount: number } }>(
      b.url,
      'mutation ($id: ID!) { deleteEvent(id: $id) { eventCount } }',
      { id: target },
    );
    expect(removed.data.deleteEvent.eventCount).toBe(1);
    const after = await graphql<{ events: { totalCount: number } }>(b.url, '{ events { totalCount } }');
    expect(after.data.events.totalCount).toBe(ids.length);

    // The pool's traffic went through the bouncer: it counted the transactions.
    const [header, ...rows] = await bouncer.show('STATS');
    const column = (header ?? []).indexOf('total_xact_count');
    const row = rows.find((r) => r[0] === database.name);
    expect(Number(row?.[column])).toBeGreaterThan(ids.length);
    for (const replica of [a, b]) expect(replica.stderr()).not.toMatch(/prepared statement|unsupported/i);
  }, 120_000);

  it('sets the session settings in each transaction, since the bouncer passes none at connect', async () => {
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const bouncer = await startPgBouncer(1);
    cleanup.push(() => bouncer.stop());
    const ctx = await openPgContext({
      databaseUrl: bouncer.via(database.url),
      directUrl: database.url,
      maxRejections: 10,
      statementTimeoutMs: 4_000,
    });
    cleanup.push(() => closePgContext(ctx, 1));
    const names = ['statement_timeout', 'lock_timeout', 'synchronous_commit'];
    const inside = await ctx.begin(
      (tx) =>
        tx`select ${tx.unsafe(names.map((name) => `current_setting('${name}') as ${name}`).join(', '))}`,
    );
    expect({ ...inside[0] }).toEqual({
      statement_timeout: '4s',
      lock_timeout: '4s',
      synchronous_commit: 'on',
    });
    // A statement that outlasts the timeout inside a transaction is cancelled (57014), not waited for.
    const slow = await ctx.begin((tx) => tx`select pg_sleep(6)`).catch((error: unknown) => error);
    expect((slow as { code?: string }).code).toBe('57014');
  }, 60_000);
});
