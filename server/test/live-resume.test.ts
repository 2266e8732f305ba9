import type { Client } from 'graphql-ws';
import { describe, expect } from 'vitest';
import { MAX_RESUME_EVENTS } from '../src/domain/sequence.js';
import { useTestServer } from './helpers/fixtures.js';
import {
  collect,
  connected,
  EXAMPLE_CREATE,
  graphql,
  ManualClock,
  postEvent,
  wsClient,
  type TestServer,
} from './helpers/server.js';

// Subscription.eventAdded(after:) through a real server over graphql-ws: the replay of what a client
// missed, then live events, with no gap and no duplicate; RESYNC_REQUIRED where that cannot be exact.

const RETENTION_MS = 7 * 24 * 3_600_000;
const clock = new ManualClock();
// The test moves the clock past the retention to expire events; purges run only when it asks.
const it = useTestServer({ clock, env: { PURGE_INTERVAL: '1d' } });

const RESUME = `subscription Resume($after: String, $filter: EventFilter) {
  eventAdded(after: $after, filter: $filter) { sequence id entityType }
}`;

interface Resumed {
  eventAdded: { sequence: string; id: string; entityType: string };
}

/** Posts an event (a task or a component) and answers the 201 body's sequence and id. */
async function post(t: TestServer, entityType = 'component'): Promise<{ sequence: string; id: string }> {
  const answer = await postEvent(t.url, { ...EXAMPLE_CREATE, entity_type: entityType });
  expect(answer.status).toBe(201);
  return { sequence: String(answer.json.sequence), id: String(answer.json.id) };
}

/** The newest sequence stored, by query. */
async function newestSequence(t: TestServer): Promise<string> {
  const result = await graphql<{ events: { edges: { node: { sequence: string } }[] } }>(
    t.url,
    '{ events(first: 1) { edges { node { sequence } } } }',
  );
  return result.data.events.edges[0]?.node.sequence ?? '0';
}

/** Subscribes with `after` and answers the first error the subscription ends with (fails on any event). */
function firstError(
  client: Client,
  after: string,
): Promise<{ message: string; extensions?: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no error within 5 s')), 5_000);
    const dispose = client.subscribe<Resumed>(
      { query: RESUME, variables: { after } },
      {
        next: (result) => {
          clearTimeout(timer);
          dispose();
          if (result.errors?.[0]) resolve(result.errors[0] as { message: string });
          else reject(new Error(`an event instead of an error: ${JSON.stringify(result.data)}`));
        },
        error: (error) => {
          clearTimeout(timer);
          reject(new Error(`a protocol error instead of a GraphQL error: ${String(error)}`));
        },
        complete: () => {
          clearTimeout(timer);
          reject(new Error('completed without an error'));
        },
      },
    );
  });
}

const sequenceOf = (n: bigint | number) => String(n);

describe('Subscription.eventAdded(after:)', () => {
  it('replays exactly the events after the cursor, then goes on live, and carries sequence everywhere', async ({
    t,
  }) => {
    const posted = [];
    for (let i = 0; i < 6; i++) posted.push(await post(t));
    const sequences = posted.map((p) => BigInt(p.sequence));
    // Consecutive positions in the 201 answers, as in the REST view and the GraphQL field.
    expect(sequences.map((s) => s - (sequences[0] as bigint))).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    const rest = (await (await fetch(`${t.url}/events/${posted[2]?.id}`)).json()) as { sequence: string };
    expect(rest.sequence).toBe(posted[2]?.sequence);

    const client = wsClient(t.wsUrl);
    await connected(client);
    const sub = collect<Resumed>(client, RESUME, { after: posted[1]?.sequence });
    for (const missed of posted.slice(2)) expect((await sub.next()).eventAdded.id).toBe(missed.id);
    const live = await post(t);
    expect((await sub.next()).eventAdded).toMatchObject(live);
    expect(sub.failure).toBeNull();
    sub.dispose();
    await client.dispose();
  });

  it('applies the filter to the replay as to the live events', async ({ t }) => {
    const start = await newestSequence(t);
    const posted = [];
    for (const type of ['task', 'component', 'task', 'component', 'component', 'task'])
      posted.push({ ...(await post(t, type)), type });
    const client = wsClient(t.wsUrl);
    const sub = collect<Resumed>(client, RESUME, { after: start, filter: { entityType: 'task' } });
    for (const task of posted.filter((p) => p.type === 'task'))
      expect((await sub.next()).eventAdded).toEqual({
        sequence: task.sequence,
        id: task.id,
        entityType: 'task',
      });
    await post(t, 'component');
    const live = await post(t, 'task');
    // Had the live component passed the filter, it would arrive here first.
    expect((await sub.next()).eventAdded.id).toBe(live.id);
    sub.dispose();
    await client.dispose();
  });

  it('replays to a second subscriber with the same cursor after the first one got its replay (no late join)', async ({
    t,
  }) => {
    const start = await newestSequence(t);
    const posted = [await post(t), await post(t), await post(t)];
    const client = wsClient(t.wsUrl);
    // Same operation, same variables: the same key for the shared execution.
    const first = collect<Resumed>(client, RESUME, { after: start });
    for (const p of posted) expect((await first.next()).eventAdded.id).toBe(p.id);
    const second = collect<Resumed>(client, RESUME, { after: start });
    for (const p of posted) expect((await second.next()).eventAdded.id).toBe(p.id);
    const live = await post(t);
    expect((await first.next()).eventAdded.id).toBe(live.id);
    expect((await second.next()).eventAdded.id).toBe(live.id);
    first.dispose();
    second.dispose();
    await client.dispose();
  });

  it('gives every sequence exactly once to subscribers that resubscribe again and again during a burst', async ({
    t,
  }) => {
    const start = BigInt(await newestSequence(t));
    const total = 300;
    // Posted 20 at a time: many share a group commit.
    const posting = (async () => {
      const last: bigint[] = [];
      for (let i = 0; i < total; i += 20) {
        const batch = await Promise.all(Array.from({ length: 20 }, () => post(t)));
        last.push(...batch.map((p) => BigInt(p.sequence)));
      }
      return last;
    })();

    /** One subscriber: takes a few events per subscription, then resubscribes from the last one it got. */
    async function resubscribing(seed: number): Promise<bigint[]> {
      const got: bigint[] = [];
      let client = wsClient(t.wsUrl);
      let after = start;
      for (let round = 0; after < start + BigInt(total); round++) {
        expect(round).toBeLessThan(1_000);
        // Every third round on a new connection, as after a dropped socket.
        if (round % 3 === 2) {
          await client.dispose();
          client = wsClient(t.wsUrl);
        }
        const sub = collect<Resumed>(client, RESUME, { after: sequenceOf(after) });
        const take = 1 + ((seed * 7 + round * 13) % 23);
        for (let k = 0; k < take && after < start + BigInt(total); k++) {
          const event = (await sub.next(10_000)).eventAdded;
          got.push(BigInt(event.sequence));
          after = BigInt(event.sequence);
        }
        expect(sub.failure).toBeNull();
        sub.dispose();
      }
      await client.dispose();
      return got;
    }

    // Three at once, two of them in step (same cursors at first): the shared execution must serve both.
    const [posted, ...subscribers] = await Promise.all([
      posting,
      resubscribing(1),
      resubscribing(1),
      resubscribing(2),
    ]);
    const want = Array.from({ length: total }, (_, i) => start + BigInt(i + 1));
    expect([...(posted as bigint[])].sort((a, b) => (a < b ? -1 : 1))).toEqual(want);
    for (const got of subscribers) expect(got).toEqual(want);
  });

  it('ends with RESYNC_REQUIRED for a garbage cursor and one past the newest, and resumes from the newest', async ({
    t,
  }) => {
    await post(t);
    const newest = await newestSequence(t);
    const client = wsClient(t.wsUrl);
    for (const garbage of ['abc', '-1', '01', '1e3', '', ' 1', '1.0', String(BigInt(newest) + 1n)]) {
      const error = await firstError(client, garbage);
      expect(error.extensions?.code).toBe('RESYNC_REQUIRED');
      expect(error.extensions?.argument).toBe('after');
      expect(error.message).toMatch(/^after: .*reload the events by query/);
    }
    // The newest itself is a valid cursor: nothing to replay, then live.
    const sub = collect<Resumed>(client, RESUME, { after: newest });
    const live = await post(t);
    expect((await sub.next()).eventAdded.id).toBe(live.id);
    sub.dispose();
    await client.dispose();
  });

  it(`ends with RESYNC_REQUIRED for a cursor more than ${MAX_RESUME_EVENTS} events behind`, async ({ t }) => {
    const behind = BigInt(await newestSequence(t));
    // Through the intake, 1,000 per mutation (its bound): one past the limit. The newest is the highest
    // sequence answered (the events of one mutation share commits, so the newest id may not have it).
    let newest = behind;
    for (let made = 0; made <= MAX_RESUME_EVENTS; made += 1_000) {
      const result = await graphql<{ generateMockEvents: { sequence: string }[] }>(
        t.url,
        'mutation { generateMockEvents(count: 1000) { sequence } }',
      );
      expect(result.data.generateMockEvents).toHaveLength(1_000);
      for (const { sequence } of result.data.generateMockEvents)
        if (BigInt(sequence) > newest) newest = BigInt(sequence);
    }
    expect(newest - behind).toBeGreaterThan(MAX_RESUME_EVENTS);
    const client = wsClient(t.wsUrl);
    const error = await firstError(client, sequenceOf(newest - BigInt(MAX_RESUME_EVENTS) - 1n));
    expect(error.extensions?.code).toBe('RESYNC_REQUIRED');
    expect(error.message).toContain('events behind');
    // Exactly the limit is replayed: the last of them is the newest.
    const sub = collect<Resumed>(client, RESUME, { after: sequenceOf(newest - BigInt(MAX_RESUME_EVENTS)) });
    let last = '';
    for (let i = 0; i < MAX_RESUME_EVENTS; i++) last = (await sub.next()).eventAdded.sequence;
    expect(last).toBe(sequenceOf(newest));
    sub.dispose();
    await client.dispose();
  });

  it('ends with RESYNC_REQUIRED for a cursor whose next events expired or were purged', async ({ t }) => {
    const old = [await post(t), await post(t), await post(t)];
    clock.advance(RETENTION_MS + 1);
    const young = await post(t);
    const client = wsClient(t.wsUrl);
    // Expired (past the cut-off), not yet purged: already too old.
    const before = await firstError(client, old[0]?.sequence as string);
    expect(before.extensions?.code).toBe('RESYNC_REQUIRED');
    expect(before.message).toContain('no longer retained');
    expect((await t.server.purgeNow()).eventCount).toBeGreaterThanOrEqual(3);
    expect((await firstError(client, old[1]?.sequence as string)).extensions?.code).toBe('RESYNC_REQUIRED');
    // The last expired one is still a good cursor: every event after it is retained.
    const sub = collect<Resumed>(client, RESUME, { after: old[2]?.sequence });
    expect((await sub.next()).eventAdded.id).toBe(young.id);
    sub.dispose();
    await client.dispose();
  });
});
