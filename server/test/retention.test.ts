import { describe, expect, it } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import {
  collect,
  EXAMPLE_CREATE,
  graphql,
  ManualClock,
  postEvent,
  startTestServer,
  waitFor,
  wsClient,
  type TestServer,
} from './helpers/server.js';

const HOUR_MS = 3_600_000;
const RETENTION_MS = 7 * 24 * HOUR_MS;

async function ids(t: TestServer): Promise<string[]> {
  const result = await graphql<{ events: { edges: { node: { id: string } }[] } }>(
    t.url,
    '{ events(first: 100) { edges { node { id } } } }',
  );
  return result.data.events.edges.map((edge) => edge.node.id);
}

const clock = new ManualClock();
// A long purge interval: the test decides when purges run, so reads between purges are tested too.
const ruleTest = useTestServer({ clock, env: { PURGE_INTERVAL: '1d' } });

describe('the 7-day rule', () => {
  const it = ruleTest;

  it('keeps an event just inside the retention, hides and purges it just outside, and publishes the purge', async ({
    t,
  }) => {
    const old = await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'ret-old' } }); // its own time is 2021: irrelevant
    await postEvent(t.url, 'not json at all'); // a refused delivery, purged by the same rule
    clock.advance(HOUR_MS);
    const young = await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'ret-young' } });
    const oldId = String(old.json.id);
    const youngId = String(young.json.id);

    clock.advance(RETENTION_MS - HOUR_MS); // exactly 7 days after `old`: just inside
    expect(await ids(t)).toEqual([youngId, oldId]);

    const client = wsClient(t.wsUrl);
    const purged = collect<{ eventsPurged: { eventCount: number; rejectionCount: number; before: string } }>(
      client,
      'subscription { eventsPurged { eventCount rejectionCount before } }',
    );
    await waitFor(() => t.server.subscriberCount('eventsPurged') === 1);

    clock.advance(1); // one millisecond later: `old` is expired
    expect(await ids(t)).toEqual([youngId]); // hidden even before any purge runs
    expect((await fetch(`${t.url}/events/${oldId}`)).status).toBe(404);
    expect((await fetch(`${t.url}/aggregates/ret-old`)).status).toBe(404);

    await t.server.purgeNow();
    const report = (await purged.next()).eventsPurged;
    expect(report).toEqual({
      eventCount: 1,
      rejectionCount: 1,
      before: new Date(clock.now() - RETENTION_MS).toISOString(),
    });
    expect(await ids(t)).toEqual([youngId]);

    clock.advance(HOUR_MS);
    await t.server.purgeNow();
    expect((await purged.next()).eventsPurged).toMatchObject({ eventCount: 1, rejectionCount: 0 });
    expect(await ids(t)).toEqual([]);
    purged.dispose();
    await client.dispose();
  });
});

describe('a restart', () => {
  it('keeps what was stored', async () => {
    const first = await startTestServer();
    const posted = await postEvent(first.url, EXAMPLE_CREATE);
    expect(posted.status).toBe(201);
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const response = await fetch(`${second.url}/events/${String(posted.json.id)}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { raw: string }).raw).toBe(JSON.stringify(EXAMPLE_CREATE));
    } finally {
      await second.dispose();
    }
  });
});
