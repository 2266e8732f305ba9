import { rmSync } from 'node:fs';
import type { Scenario } from '../context.js';
import { startHookscope } from '../lib.js';
import { DASHBOARD_TRAFFIC_QUERY } from '../operations.js';
import { round } from '../report.js';
import { seed } from '../seed.js';
import { timeQuery } from './queries.js';

/** Stored events the traffic query is timed against, in quick and full runs alike (the figure). */
const TRAFFIC_EVENTS = 1_000_000;
const TARGET_MS = 5;
const HOUR_MS = 3_600_000;

/**
 * The dashboard's traffic query at 1M stored events over six days: the default (the retained window per
 * hour) and zoomed in (six hours per minute, as after a drag), each split both ways. The baseline is
 * `{ __typename }` over the same keep-alive connection, as in `queries`.
 */
export const traffic: Scenario = {
  name: 'traffic',
  async run(ctx) {
    process.stdout.write(`traffic at ${TRAFFIC_EVENTS.toLocaleString('en')} stored events\n`);
    let dataDir: string;
    let own = false;
    if (ctx.size >= TRAFFIC_EVENTS) dataDir = ctx.seeded();
    else {
      dataDir = ctx.tempDir();
      own = true;
      const now = Date.now();
      process.stdout.write(`  seeding ${TRAFFIC_EVENTS.toLocaleString('en')} events (no search index)...\n`);
      const result = seed({
        dataDir,
        count: TRAFFIC_EVENTS,
        fromMs: now - 6 * 86_400_000,
        toMs: now - 60_000,
        searchIndex: false,
      });
      ctx.raw.trafficSeed = result;
    }
    const server = await startHookscope({ DATA_DIR: dataDir }, ctx.port());
    try {
      const n = ctx.full ? 200 : 60;
      const floor = await timeQuery(server.url, '{ __typename }', {}, n);
      const zoomUntil = Date.now() - 2 * 86_400_000;
      const cases = [
        { name: 'retained window per hour, by action', variables: { splitBy: 'ACTION' } },
        { name: 'retained window per hour, by entity type', variables: { splitBy: 'ENTITY_TYPE' } },
        {
          name: '6 hours per minute, by action',
          variables: {
            splitBy: 'ACTION',
            since: new Date(zoomUntil - 6 * HOUR_MS).toISOString(),
            until: new Date(zoomUntil).toISOString(),
          },
        },
        {
          name: '6 hours per minute, by entity type',
          variables: {
            splitBy: 'ENTITY_TYPE',
            since: new Date(zoomUntil - 6 * HOUR_MS).toISOString(),
            until: new Date(zoomUntil).toISOString(),
          },
        },
      ];
      for (const { name, variables } of cases) {
        const timing = await timeQuery(server.url, DASHBOARD_TRAFFIC_QUERY, variables, n);
        const answer = timing.last as { data: { traffic: { buckets: { counts: number[] }[] } } };
        const events = answer.data.traffic.buckets.reduce(
          (sum, b) => sum + b.counts.reduce((n, c) => n + c, 0),
          0,
        );
        ctx.raw[`traffic ${name}`] = { p50: timing.p50, p99: timing.p99, events };
        ctx.add({
          scenario: 'traffic',
          metric: `traffic query, ${name}: p50 ms (HTTP round trip; ${answer.data.traffic.buckets.length} buckets, ${events.toLocaleString('en')} events)`,
          value: round(timing.p50),
          baseline: round(floor.p50),
          target: `<= ${TARGET_MS} ms`,
          pass: timing.p50 <= TARGET_MS,
        });
      }
    } finally {
      await server.stop();
      if (own) rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
