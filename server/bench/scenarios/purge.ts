import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../context.js';
import { load, loopDelay, sleep, startHookscope } from '../lib.js';
import { round } from '../report.js';
import { seed } from '../seed.js';

/** Seconds after the server's start at which every seeded row has expired. */
const EXPIRE_AFTER_S = 15;
/** The ingest that runs beside the purge: a steady 300 requests/s over 10 connections. */
const RATE_ARGS = { connections: 10, overallRate: 300 };
const TARGET_STALL_MS = 25;

const dbBytes = (dataDir: string) =>
  readdirSync(dataDir)
    .filter((f) => f.startsWith('hookscope.db'))
    .reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0);

/** A whole store expiring at once under ingest: the event loop, ingest latency and the space given back. */
export const purge: Scenario = {
  name: 'purge',
  async run(ctx) {
    const { size } = ctx;
    process.stdout.write(`purge of ${size.toLocaleString('en')} expired events under ingest\n`);
    const dataDir = ctx.tempDir();
    const now = Date.now();
    // All rows within one second, so that they expire together EXPIRE_AFTER_S after the server starts.
    seed({ dataDir, count: size, fromMs: now - 1_000, toMs: now });
    const server = await startHookscope(
      {
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        EVENT_RETENTION: `${Date.now() - now + EXPIRE_AFTER_S * 1_000}ms`,
        PURGE_INTERVAL: '1s',
      },
      ctx.port(),
    );
    const started = performance.now();
    const sizeBefore = dbBytes(dataDir);
    await loopDelay(server); // start-up is not part of either figure
    const unloaded = await load(`${server.url}/webhooks/event`, 8, RATE_ARGS);
    // The same ingest before anything expires: what the shared machine stalls the loop by without a purge.
    const quiet = await loopDelay(server);
    await sleep(Math.max(0, EXPIRE_AFTER_S * 1_000 - (performance.now() - started) - 500));
    // The purge is paced (see retention.ts): long enough for all of it to happen under load.
    const loadS = ctx.full ? 150 : 30;
    const during = await load(`${server.url}/webhooks/event`, loadS, RATE_ARGS);
    const loop = await loopDelay(server);
    // A purge that starts while rows are still expiring reports in several passes: add them up.
    const purged = [...server.stdout().matchAll(/"eventCount":(\d+)/g)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    await server.stop();
    const sizeAfter = dbBytes(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    ctx.raw.purge = { unloaded, during, quiet, loop, purged, sizeBefore, sizeAfter };
    ctx.add({
      scenario: 'purge',
      metric: 'events purged during the run',
      value: purged,
      target: `${size}`,
      pass: purged >= size,
    });
    ctx.add({
      scenario: 'purge',
      metric: 'longest event-loop stall (ms)',
      value: loop.maxMs,
      baseline: quiet.maxMs,
      target: `<= ${TARGET_STALL_MS} ms`,
      pass: loop.maxMs <= TARGET_STALL_MS,
    });
    ctx.add({
      scenario: 'purge',
      metric: 'event-loop delay p99 / p99.9 (ms)',
      value: `${loop.p99Ms} / ${loop.p999Ms}`,
      baseline: `${quiet.p99Ms} / ${quiet.p999Ms}`,
      target: 'info',
      pass: null,
    });
    ctx.add({
      scenario: 'purge',
      metric: 'ingest p99 at 300 req/s during purge (ms)',
      value: during.p99Ms,
      baseline: unloaded.p99Ms,
      ratio: round(during.p99Ms / Math.max(1, unloaded.p99Ms)),
      target: '<= 2x unloaded',
      pass: during.p99Ms <= 2 * Math.max(1, unloaded.p99Ms) && during.non2xx === 0,
    });
    ctx.add({
      scenario: 'purge',
      metric: 'database file MB before -> after',
      value: `${round(sizeBefore / 1e6, 0)} -> ${round(sizeAfter / 1e6, 0)}`,
      target: 'space given back',
      pass: sizeAfter < sizeBefore / 2,
    });
  },
};
