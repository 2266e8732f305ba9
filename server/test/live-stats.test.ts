import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import {
  collect,
  EXAMPLE_CREATE,
  ManualClock,
  postCreated,
  postEvent,
  waitFor,
  wsClient,
} from './helpers/server.js';

const DAY_MS = 86_400_000;

interface Counts {
  totalEvents: number;
  totalEntities: number;
  totalRejections: number;
}
type Message = { statsChanged: Counts };

const STATS_CHANGED = 'subscription { statsChanged { totalEvents totalEntities totalRejections } }';

/** Awaits messages until one satisfies `done`; returns how many it took. */
async function until(
  subscription: ReturnType<typeof collect<Message>>,
  done: (counts: Counts) => boolean,
): Promise<{ counts: Counts; messages: number }> {
  for (let messages = 1; ; messages++) {
    const { statsChanged } = await subscription.next(10_000);
    if (done(statsChanged)) return { counts: statsChanged, messages };
  }
}

const clock = new ManualClock();
// Purges only when the test says so (purgeNow); retention 1 day so the clock can expire everything.
const it = useTestServer({ clock, env: { PURGE_INTERVAL: '1d', EVENT_RETENTION: '1d' } });

describe('Subscription.statsChanged: the counts follow additions, refusals and purges', () => {
  it('starts with the counts now, follows each change, and a purge brings them back to zero', async ({
    t,
  }) => {
    const client = wsClient(t.wsUrl);
    try {
      const stats = collect<Message>(client, STATS_CHANGED);
      expect((await stats.next()).statsChanged).toEqual({
        totalEvents: 0,
        totalEntities: 0,
        totalRejections: 0,
      });

      await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'count-a' } });
      await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'count-b' } });
      expect((await postEvent(t.url, 'not json')).status).toBe(400);
      const after = await until(stats, (counts) => counts.totalEvents === 2 && counts.totalRejections === 1);
      expect(after.counts).toEqual({ totalEvents: 2, totalEntities: 2, totalRejections: 1 });

      clock.advance(DAY_MS + 1);
      const report = await t.server.purgeNow();
      expect(report.eventCount).toBe(2);
      const purged = await until(stats, (counts) => counts.totalEvents === 0);
      expect(purged.counts).toEqual({ totalEvents: 0, totalEntities: 0, totalRejections: 0 });
    } finally {
      await client.dispose();
    }
  });

  it('coalesces a burst: 200 concurrent events give a handful of messages, the last one exact', async ({
    t,
  }) => {
    const client = wsClient(t.wsUrl);
    try {
      const stats = collect<Message>(client, STATS_CHANGED);
      const start = (await stats.next()).statsChanged.totalEvents;
      const startedAtMs = performance.now();
      const burst = 200;
      await Promise.all(
        Array.from({ length: burst }, (_, i) =>
          postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: `burst-${i}` } }),
        ),
      );
      const { messages } = await until(stats, (counts) => counts.totalEvents === start + burst);
      const elapsedMs = performance.now() - startedAtMs;
      // At most one message per 250 ms, plus the one already due at the start and the trailing one.
      expect(messages).toBeLessThanOrEqual(Math.floor(elapsedMs / 250) + 2);
      expect(messages).toBeLessThan(burst / 10);
    } finally {
      await client.dispose();
    }
  });

  it('costs nothing and counts no subscriber on eventAdded when nobody listens to the counts', async ({
    t,
  }) => {
    await waitFor(() => t.server.subscriberCount('statsChanged') === 0); // the earlier tests' clients closed
    await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'nobody' } });
    expect(t.server.subscriberCount('eventAdded')).toBe(0);
  });
});
