import { rmSync } from 'node:fs';
import type { Scenario } from '../context.js';
import { loopDelay, runChild, startBaseline, startHookscope } from '../lib.js';
import { DASHBOARD_SUBSCRIPTION } from '../operations.js';
import { round } from '../report.js';

/** What the fan-out child (fanout.ts) measured. */
interface FanoutResult {
  posted: number;
  postErrors: number;
  delivered: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  firstSecondP99Ms: number;
  lastSecondP99Ms: number;
}

const SUBSCRIBERS = 100;
const RATE_PER_S = 1_000;
const WARMUP_S = 2;
const TARGET_P99_MS = 15;

/** Many dashboard subscribers, events at a steady rate: the delay from the POST's answer to each receipt. */
export const fanout: Scenario = {
  name: 'fanout',
  async run(ctx) {
    const durationS = ctx.full ? 20 : 8;
    process.stdout.write(
      `fan-out (${SUBSCRIBERS} subscribers, ${RATE_PER_S.toLocaleString('en')} events/s, ${durationS} s after ${WARMUP_S} s of warm-up)\n`,
    );
    const args = {
      subscribers: SUBSCRIBERS,
      query: DASHBOARD_SUBSCRIPTION,
      mode: 'fanout',
      ratePerS: RATE_PER_S,
      durationS,
      warmupS: WARMUP_S,
    };
    const base = await startBaseline(ctx.port());
    const baseline = await runChild<FanoutResult>('fanout.ts', { url: base.url, ...args });
    await base.stop();
    const dataDir = ctx.tempDir();
    const server = await startHookscope({ DATA_DIR: dataDir }, ctx.port());
    const result = await runChild<FanoutResult>('fanout.ts', { url: server.url, ...args });
    const loop = await loopDelay(server);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    ctx.raw.fanout = { baseline, result, loop };
    ctx.add({
      scenario: 'fan-out',
      metric: 'p99 POST answer -> receipt (ms)',
      value: round(result.p99Ms),
      baseline: round(baseline.p99Ms),
      target: `<= ${TARGET_P99_MS} ms`,
      pass: result.p99Ms <= TARGET_P99_MS,
    });
    ctx.add({
      scenario: 'fan-out',
      metric: 'p50 (ms)',
      value: round(result.p50Ms),
      baseline: round(baseline.p50Ms),
      target: 'info',
      pass: null,
    });
    ctx.add({
      scenario: 'fan-out',
      metric: 'deliveries / expected',
      value: `${result.delivered} / ${result.expected}`,
      baseline: `${baseline.delivered} / ${baseline.expected}`,
      target: 'every subscriber gets every event',
      pass: result.delivered === result.expected && result.postErrors === 0,
    });
    ctx.add({
      scenario: 'fan-out',
      metric: 'p99 first second -> last second (ms)',
      value: `${round(result.firstSecondP99Ms)} -> ${round(result.lastSecondP99Ms)}`,
      target: 'no growing backlog',
      pass: result.lastSecondP99Ms <= Math.max(TARGET_P99_MS, 2 * result.firstSecondP99Ms),
    });
  },
};
