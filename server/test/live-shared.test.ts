import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import type { Client } from 'graphql-ws';
import {
  connected,
  EXAMPLE_CREATE,
  postEvent,
  waitFor,
  wsClient,
  type TestServer,
} from './helpers/server.js';

const it = useTestServer();

type Added = { eventAdded: Record<string, unknown> & { id: string } };

/** A subscriber whose results can be inspected at any time. */
interface Collector {
  results: Added['eventAdded'][];
  errors: unknown[];
  dispose(): void;
}

/** Ids of the probe events: they are left out when comparing. */
const probeIds = new Set<string>();
const real = (s: Collector) => s.results.filter((r) => !probeIds.has(r.id));

function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): Collector {
  const collector: Collector = { results: [], errors: [], dispose: () => undefined };
  collector.dispose = client.subscribe<Added>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) collector.errors.push(result.errors);
        collector.results.push((result.data as Added).eventAdded);
      },
      error: (error) => collector.errors.push(error),
      complete: () => undefined,
    },
  );
  return collector;
}

const ALL = 'subscription { eventAdded { id } }';
const TASKS = 'subscription($f: EventFilter) { eventAdded(filter: $f) { id entityType payload } }';
const NEEDLE = 'subscription Needle($f: EventFilter) { eventAdded(filter: $f) { id raw } }';

/** A body that every filter below lets through, used to learn when all subscribers are listening. */
const probe = (n: number) => ({
  ...EXAMPLE_CREATE,
  entity_type: 'task',
  payload: { id: `probe-${n}`, note: 'needle' },
});

/** Posts probes until every subscriber got one: subscriptions have no acknowledgement to await. */
async function untilAllListen(t: TestServer, subscribers: Collector[]): Promise<void> {
  let n = 0;
  await waitFor(async () => {
    probeIds.add((await postEvent(t.url, probe(n++))).json.id as string);
    return subscribers.every((s) => s.results.length > 0);
  }, 10_000);
}

describe('shared execution of eventAdded (one execution per distinct operation)', () => {
  it('gives each of many subscribers exactly its own filter and selection', async ({ t }) => {
    const clients: Client[] = [wsClient(t.wsUrl), wsClient(t.wsUrl), wsClient(t.wsUrl)];
    await Promise.all(clients.map((client) => connected(client)));
    const all: Collector[] = [];
    const tasks: Collector[] = [];
    const needles: Collector[] = [];
    for (let i = 0; i < 12; i++) {
      const client = clients[i % clients.length] as Client;
      all.push(subscribe(client, ALL));
      tasks.push(subscribe(client, TASKS, { f: { entityType: 'task' } }));
      needles.push(subscribe(client, NEEDLE, { f: { search: 'NEEDLE' } }));
    }
    // Three distinct operations, however many subscribers: three executions (live subscriptions).
    await untilAllListen(t, [...all, ...tasks, ...needles]);
    expect(t.server.subscriberCount('eventAdded')).toBe(3);

    const plain = await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'shared-plain' } });
    const task = await postEvent(t.url, {
      ...EXAMPLE_CREATE,
      entity_type: 'task',
      payload: { id: 'shared-task' },
    });
    const needle = await postEvent(t.url, {
      ...EXAMPLE_CREATE,
      payload: { id: 'shared-needle', text: 'a Needle in a haystack' },
    });

    const everyone = [...all, ...tasks, ...needles];
    await waitFor(() => everyone.every((s) => real(s).length === (all.includes(s) ? 3 : 1)));
    for (const s of all)
      expect(real(s)).toEqual([{ id: plain.json.id }, { id: task.json.id }, { id: needle.json.id }]);
    for (const s of tasks) {
      expect(real(s)).toEqual([{ id: task.json.id, entityType: 'task', payload: { id: 'shared-task' } }]);
    }
    for (const s of needles) {
      const [got] = real(s);
      expect(got?.id).toBe(needle.json.id);
      expect(JSON.parse(got?.raw as string)).toMatchObject({ payload: { id: 'shared-needle' } });
    }
    for (const s of everyone) expect(s.errors).toEqual([]);

    // One subscriber leaving its group does not end the others.
    all.slice(1).forEach((s) => s.dispose());
    const after = await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'shared-after' } });
    await waitFor(() => real(all[0] as Collector).length === 4);
    expect(real(all[0] as Collector)[3]).toEqual({ id: after.json.id });

    for (const s of [...all, ...tasks, ...needles]) s.dispose();
    await waitFor(() => t.server.subscriberCount('eventAdded') === 0);
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('reports bad variables to that subscriber alone, over the protocol', async ({ t }) => {
    const client = wsClient(t.wsUrl);
    await connected(client);
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: TASKS, variables: { f: { action: 'explode' } } },
        { next: (result) => resolve(result.errors), error: resolve, complete: () => resolve(null) },
      );
    });
    expect(JSON.stringify(errors)).toContain('explode');
    await client.dispose();
  });
});
