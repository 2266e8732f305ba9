import type { Scenario } from '../context.js';
import { load, rssMb, startBaseline, startHookscope } from '../lib.js';

const RSS_SAMPLE_MS = 200;
const TARGET_PEAK_RSS_MB = 300;
const TARGET_STARTUP_MS = 1000;

/** Memory under sustained ingest on the seeded store, and start-up time against the baseline's. */
export const footprint: Scenario = {
  name: 'footprint',
  async run(ctx) {
    process.stdout.write(`footprint with ${ctx.size.toLocaleString('en')} stored events\n`);
    const dataDir = ctx.seeded();
    const base = await startBaseline(ctx.port());
    await base.stop();
    const server = await startHookscope({ DATA_DIR: dataDir }, ctx.port());
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(server.pid)), RSS_SAMPLE_MS);
    const result = await load(`${server.url}/webhooks/event`, ctx.loadS * 2);
    clearInterval(sampler);
    await server.stop();
    const peak = Math.max(...samples);
    ctx.raw.footprint = {
      startupMs: server.startupMs,
      baselineStartupMs: base.startupMs,
      rss: samples,
      result,
    };
    ctx.add({
      scenario: 'footprint',
      metric: 'peak RSS under sustained ingest (MB)',
      value: peak,
      target: `<= ${TARGET_PEAK_RSS_MB} MB`,
      pass: peak <= TARGET_PEAK_RSS_MB,
    });
    ctx.add({
      scenario: 'footprint',
      metric: 'start-up to accepting requests (ms)',
      value: Math.round(server.startupMs),
      baseline: Math.round(base.startupMs),
      target: `<= ${TARGET_STARTUP_MS} ms`,
      pass: server.startupMs <= TARGET_STARTUP_MS,
    });
  },
};
