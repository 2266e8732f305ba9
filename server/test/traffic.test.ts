import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import {
  EXAMPLE_CREATE,
  EXAMPLE_UPDATE,
  graphql,
  ManualClock,
  postEvent,
  type TestServer,
} from './helpers/server.js';

// Query.traffic through real HTTP: what it answers equals counting the events and refusals the same
// server lists, before and after a purge.

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const RETENTION_MS = 7 * 24 * HOUR_MS;

const TRAFFIC = `query($since: DateTime, $until: DateTime, $bucket: TrafficBucketSize, $splitBy: TrafficSplit) {
  traffic(since: $since, until: $until, bucket: $bucket, splitBy: $splitBy) {
    bucket bucketSeconds since until splitBy
    buckets { start count rejections split { key count } }
  }
}`;

interface TrafficAnswer {
  bucket: string;
  bucketSeconds: number;
  since: string;
  until: string;
  splitBy: string;
  buckets: { start: string; count: number; rejections: number; split: { key: string; count: number }[] }[];
}

async function traffic(t: TestServer, variables: Record<string, unknown>) {
  return graphql<{ traffic: TrafficAnswer }>(t.url, TRAFFIC, variables);
}

/** Every retained event and refusal, as the same server lists them. */
async function listed(t: TestServer) {
  const result = await graphql<{
    events: { edges: { node: { receivedAt: string; action: string; entityType: string } }[] };
    rejections: { edges: { node: { receivedAt: string } }[] };
  }>(
    t.url,
    '{ events(first: 500) { edges { node { receivedAt action entityType } } } rejections(first: 500) { edges { node { receivedAt } } } }',
  );
  return {
    events: result.data.events.edges.map((edge) => edge.node),
    rejections: result.data.rejections.edges.map((edge) => edge.node),
  };
}

/** The buckets a count over the listed rows gives for [sinceMs, untilMs) at `bucketMs`. */
function counted(
  rows: Awaited<ReturnType<typeof listed>>,
  sinceMs: number,
  untilMs: number,
  bucketMs: number,
  splitBy: 'action' | 'entityType',
) {
  const buckets: TrafficAnswer['buckets'] = [];
  for (let start = Math.floor(sinceMs / bucketMs) * bucketMs; start < untilMs; start += bucketMs) {
    const inBucket = (at: string) => Date.parse(at) >= start && Date.parse(at) < start + bucketMs;
    const events = rows.events.filter((e) => inBucket(e.receivedAt));
    const split = new Map<string, number>();
    for (const e of events) split.set(e[splitBy], (split.get(e[splitBy]) ?? 0) + 1);
    buckets.push({
      start: new Date(start).toISOString(),
      count: events.length,
      rejections: rows.rejections.filter((r) => inBucket(r.receivedAt)).length,
      split: [...split].map(([key, count]) => ({ key, count })).sort((a, b) => (a.key < b.key ? -1 : 1)),
    });
  }
  return buckets;
}

const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
const it = useTestServer({ clock, env: { PURGE_INTERVAL: '1d' } });

describe('Query.traffic', () => {
  it.beforeAll(async ({ t }) => {
    // Three hours of traffic with gaps, a few events per minute, a refusal now and then.
    for (let i = 0; i < 40; i++) {
      const body =
        i % 3 === 1
          ? { ...EXAMPLE_UPDATE, entity_type: i % 2 ? 'task' : 'component' }
          : { ...EXAMPLE_CREATE, entity_type: i % 4 ? 'component' : 'user', payload: { id: `tr-${i}` } };
      expect((await postEvent(t.url, body)).status).toBe(201);
      if (i % 7 === 0) expect((await postEvent(t.url, 'not json')).status).toBe(400);
      clock.advance(i % 5 === 0 ? 37 * MINUTE_MS : 20_000 + i * 1_000);
    }
  });

  it('equals a count over the listed events per minute and per hour, split by action and by entity type', async ({
    t,
  }) => {
    const rows = await listed(t);
    expect(rows.events).toHaveLength(40);
    const sinceMs = Date.parse('2026-03-02T09:58:30Z');
    for (const [bucket, bucketMs] of [
      ['MINUTE', MINUTE_MS],
      ['FIFTEEN_MINUTES', 15 * MINUTE_MS],
      ['HOUR', HOUR_MS],
    ] as const) {
      for (const splitBy of ['ACTION', 'ENTITY_TYPE'] as const) {
        const untilMs = clock.now() + 1;
        const result = await traffic(t, {
          since: new Date(sinceMs).toISOString(),
          bucket,
          splitBy,
        });
        expect(result.errors).toBeUndefined();
        const answer = result.data.traffic;
        expect(answer.bucket).toBe(bucket);
        expect(answer.bucketSeconds).toBe(bucketMs / 1000);
        expect(answer.buckets).toEqual(
          counted(rows, sinceMs, untilMs, bucketMs, splitBy === 'ACTION' ? 'action' : 'entityType'),
        );
        expect(answer.buckets.reduce((n, b) => n + b.count, 0)).toBe(40);
        expect(answer.buckets.reduce((n, b) => n + b.rejections, 0)).toBe(rows.rejections.length);
        expect(answer.since).toBe(answer.buckets[0]?.start);
      }
    }
  });

  it('gives the same numbers in the compact form: counts aligned to keys, starts at since + i x bucketSeconds', async ({
    t,
  }) => {
    const COMPACT = `query($since: DateTime, $bucket: TrafficBucketSize, $splitBy: TrafficSplit) {
      traffic(since: $since, bucket: $bucket, splitBy: $splitBy) {
        since bucketSeconds keys buckets { start count split { key count } counts }
      }
    }`;
    for (const bucket of ['MINUTE', 'HOUR'] as const) {
      for (const splitBy of ['ACTION', 'ENTITY_TYPE'] as const) {
        const result = await graphql<{
          traffic: {
            since: string;
            bucketSeconds: number;
            keys: string[];
            buckets: {
              start: string;
              count: number;
              split: { key: string; count: number }[];
              counts: number[];
            }[];
          };
        }>(t.url, COMPACT, { since: '2026-03-02T09:58:30Z', bucket, splitBy });
        expect(result.errors).toBeUndefined();
        const answer = result.data.traffic;
        const keys = [...new Set(answer.buckets.flatMap((b) => b.split.map((s) => s.key)))].sort();
        expect(keys.length).toBeGreaterThan(1);
        expect(answer.keys).toEqual(keys);
        answer.buckets.forEach((b, i) => {
          expect(Date.parse(b.start)).toBe(Date.parse(answer.since) + i * answer.bucketSeconds * 1000);
          expect(b.counts).toEqual(keys.map((key) => b.split.find((s) => s.key === key)?.count ?? 0));
          expect(b.counts.reduce((n, c) => n + c, 0)).toBe(b.count);
        });
        expect(answer.buckets.reduce((n, b) => n + b.count, 0)).toBe(40);
      }
    }
  });

  it('picks the bucket by itself: per hour over the retained 7 days, per minute over an hour', async ({
    t,
  }) => {
    const all = (await traffic(t, {})).data.traffic;
    expect(all.bucket).toBe('HOUR');
    // From the cut-off (now - 7 days) to now: 169 hour buckets at most.
    expect(Date.parse(all.since)).toBe(Math.floor((clock.now() - RETENTION_MS) / HOUR_MS) * HOUR_MS);
    expect(all.buckets.length).toBeGreaterThanOrEqual(168);
    expect(all.buckets.reduce((n, b) => n + b.count, 0)).toBe(40);
    const minuteMs = Math.floor(clock.now() / MINUTE_MS) * MINUTE_MS;
    const hour = (
      await traffic(t, {
        since: new Date(minuteMs - HOUR_MS).toISOString(),
        until: new Date(minuteMs).toISOString(),
      })
    ).data.traffic;
    expect(hour.bucket).toBe('MINUTE');
    expect(hour.buckets).toHaveLength(60);
  });

  it('refuses a window of too many buckets and an until before since, naming the argument', async ({ t }) => {
    const tooMany = await traffic(t, {
      since: new Date(clock.now() - 3 * 24 * HOUR_MS).toISOString(),
      bucket: 'MINUTE',
    });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0]?.message).toMatch(/^bucket: /);
    const backwards = await traffic(t, {
      since: new Date(clock.now()).toISOString(),
      until: new Date(clock.now() - MINUTE_MS).toISOString(),
    });
    expect(backwards.errors?.[0]?.message).toMatch(/^until: /);
  });

  it('leaves out what is past the cut-off, before and after the purge, and stays equal to the count', async ({
    t,
  }) => {
    const before = await listed(t);
    const firstMs = Math.min(...before.events.map((e) => Date.parse(e.receivedAt)));
    // 7 days after the first hour and a half: the earlier events are expired, the rest retained.
    clock.advance(RETENTION_MS - (clock.now() - firstMs) + 90 * MINUTE_MS);
    const cutoffMs = clock.now() - RETENTION_MS;
    const check = async () => {
      const rows = await listed(t);
      const expired = before.events.filter((e) => Date.parse(e.receivedAt) < cutoffMs).length;
      expect(expired).toBeGreaterThan(0);
      expect(rows.events).toHaveLength(40 - expired);
      const answer = (await traffic(t, { bucket: 'HOUR', splitBy: 'ENTITY_TYPE' })).data.traffic;
      // No bucket ends at or before the cut-off; the one holding it counts only what is after it.
      expect(Date.parse(answer.buckets[0]?.start ?? '')).toBe(Math.floor(cutoffMs / HOUR_MS) * HOUR_MS);
      expect(answer.buckets).toEqual(counted(rows, cutoffMs, clock.now() + 1, HOUR_MS, 'entityType'));
      const minutes = (
        await traffic(t, {
          since: new Date(cutoffMs - HOUR_MS).toISOString(),
          until: new Date(cutoffMs + 3 * HOUR_MS).toISOString(),
          bucket: 'MINUTE',
        })
      ).data.traffic;
      expect(minutes.buckets).toEqual(counted(rows, cutoffMs, cutoffMs + 3 * HOUR_MS, MINUTE_MS, 'action'));
    };
    await check();
    const report = await t.server.purgeNow();
    expect(report.eventCount).toBeGreaterThan(0);
    await check();
  });
});
