import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BenchContext, Scenario } from '../context.js';
import { load, quantile, startHookscope, storeInsertCpuPerEventUs, type LoadResult } from '../lib.js';
import { round } from '../report.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';

/** Ingest with learning must keep this share of the throughput without it (issue 14: within 5%). */
const MIN_RATIO = 0.95;

/** Events stored, and events the learned shapes count (learning on: every stored one). */
function countLearned(dataDir: string): { stored: number; learned: number } {
  const db = new Database(join(dataDir, 'hookscope.db'), { readonly: true });
  const stored = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  const learned = (
    db.prepare('SELECT coalesce(sum(event_count), 0) AS n FROM schema_shapes').get() as { n: number }
  ).n;
  db.close();
  return { stored, learned };
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * CPU time (user + system, ms) a process has used so far (Linux). Unlike throughput, it hardly moves when
 * other programs crowd the machine: it is what learning costs the server, whatever the load around it.
 */
function cpuMs(pid: number): number {
  // The fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

/** Seconds of untimed load each server gets before its measured run. */
const WARM_UP_S = 1;

/**
 * The fixed rate of the paced runs (req/s): below what this machine sustains even when crowded, so both
 * sides commit alike (a server's CPU per event falls as its group commits grow with its throughput, so
 * at full load a side that a neighbour slowed also pays more per event, learning or not).
 */
const PACED_RATE = 2_500;

/**
 * One sustained webhook load against a fresh server with SCHEMA_LEARNING set as given: as fast as it
 * answers, or at `overallRate` req/s.
 */
async function run(ctx: BenchContext, learning: boolean, durationS: number, overallRate?: number) {
  const dataDir = ctx.tempDir();
  const server = await startHookscope(
    { DATA_DIR: dataDir, SCHEMA_LEARNING: learning ? 'true' : 'false' },
    ctx.port(),
  );
  // Untimed first, both sides: a fresh process compiles its hot code (the learner's too) in its first
  // thousands of events, a cost a server pays once, not per event.
  await load(`${server.url}/webhooks/event`, WARM_UP_S, overallRate ? { overallRate } : {});
  const cpuBeforeMs = cpuMs(server.pid);
  const result = await load(`${server.url}/webhooks/event`, durationS, overallRate ? { overallRate } : {});
  const serverCpuMs = cpuMs(server.pid) - cpuBeforeMs;
  await server.stop();
  const counts = countLearned(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  return { result, serverCpuMs, ...counts };
}

/** Events per commit of the in-process runs (a loaded server's group commits hold a few to a few dozen). */
const STORE_COMMIT_EVENTS = 20;

/**
 * CPU per stored event (user + system, this process) of `events` inserts through the SQLite store's own
 * writer in commits of {@link STORE_COMMIT_EVENTS}, learning on or off: learning's cost against the
 * store's alone, without HTTP, the load generator or the fsync wait. Each insert is handed its payload
 * parsed from the body just before, as the intake hands it over (the parse is the intake's either way,
 * and payloads parsed long before, cold in the cache, cost the walk more than a server's do).
 */
async function storeCpuPerEventUs(ctx: BenchContext, learning: boolean, events: number): Promise<number> {
  const dataDir = ctx.tempDir();
  const store = createSqliteStore({ dataDir, maxRejections: 100, schemaLearning: learning });
  const usPerEvent = await storeInsertCpuPerEventUs(store, events, STORE_COMMIT_EVENTS, {
    idPrefix: 'L',
    handPayload: true,
  });
  rmSync(dataDir, { recursive: true, force: true });
  return usPerEvent;
}

const sum = (results: LoadResult[], key: 'total' | 'non2xx' | 'errors'): number =>
  results.reduce((n, r) => n + r[key], 0);

/**
 * The ingest cost of learned schemas: the store's CPU per event in process, then the same load with
 * SCHEMA_LEARNING on and off, in interleaved runs (off, on, off, on, ...) so that the machine's drift over
 * the run falls on both sides alike, as fast as the server answers and paced at {@link PACED_RATE}.
 */
export const learning: Scenario = {
  name: 'learning',
  async run(ctx) {
    const pairs = ctx.full ? 5 : 3;
    const durationS = Math.max(4, Math.round(ctx.loadS / 2));
    // In process first: the store's CPU without the HTTP path and the load generator, in many short
    // runs alternated off, on, on, off, ..., the median of each side (a neighbour on the shared cores
    // moves the CPU time of one run by ±10 %, more than learning costs, so one pair says little). One
    // untimed run of each side first: the first runs of a process pay for compiling the code they run
    // (the learner's first events cost several times its later ones), which a server pays once; see
    // docs/performance.md, "Learned schemas: the ingest cost of learning".
    await storeCpuPerEventUs(ctx, false, 3_000);
    await storeCpuPerEventUs(ctx, true, 3_000);
    const storeCpu: { on: number[]; off: number[] } = { on: [], off: [] };
    for (let i = 0; i < pairs * 6; i++) {
      const learn = i % 4 === 1 || i % 4 === 2;
      storeCpu[learn ? 'on' : 'off'].push(await storeCpuPerEventUs(ctx, learn, 3_000));
    }
    ctx.raw.learningStoreCpuPerEventUs = storeCpu;
    const storeOn = quantile(storeCpu.on, 0.5);
    const storeOff = quantile(storeCpu.off, 0.5);
    const storeRatio = round(storeOn / storeOff, 3);
    ctx.add({
      scenario: 'learning',
      metric: `store CPU µs per event in process (commits of ${STORE_COMMIT_EVENTS}, ${storeCpu.on.length} runs a side), learning on vs off`,
      value: round(storeOn, 1),
      baseline: round(storeOff, 1),
      ratio: storeRatio,
      target: `ratio <= ${round(1 / MIN_RATIO, 3)}`,
      pass: storeRatio <= 1 / MIN_RATIO,
    });
    process.stdout.write(`learning (${pairs} pairs of ${durationS} s runs, learning off/on interleaved)\n`);
    const on: Awaited<ReturnType<typeof run>>[] = [];
    const off: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < pairs * 2; i++) {
      const learn = i % 2 === 1;
      (learn ? on : off).push(await run(ctx, learn, durationS));
    }
    ctx.raw.learning = { on, off };
    const rate = (runs: typeof on): number =>
      sum(
        runs.map((r) => r.result),
        'total',
      ) /
      (runs.length * durationS);
    const ratio = round(rate(on) / rate(off), 3);
    ctx.add({
      scenario: 'learning',
      metric: 'ingest req/s, learning on vs off (same run, interleaved)',
      value: Math.round(rate(on)),
      baseline: Math.round(rate(off)),
      ratio,
      target: `ratio >= ${MIN_RATIO}`,
      pass: ratio >= MIN_RATIO,
    });
    // Server CPU per event of the measured loads (their 2xx answers; the warm-up's are stored too), both
    // sides: the cost of learning itself, less moved by a crowded machine than the throughput.
    const cpuPerEventUs = (runs: typeof on): number =>
      (runs.reduce((n, r) => n + r.serverCpuMs, 0) * 1000) /
      Math.max(
        1,
        runs.reduce((n, r) => n + r.result.ok2xx, 0),
      );
    const cpuRatio = round(cpuPerEventUs(on) / cpuPerEventUs(off), 3);
    ctx.add({
      scenario: 'learning',
      metric: 'server CPU µs per event, learning on vs off',
      value: round(cpuPerEventUs(on), 1),
      baseline: round(cpuPerEventUs(off), 1),
      ratio: cpuRatio,
      target: `ratio <= ${round(1 / MIN_RATIO, 3)}`,
      pass: cpuRatio <= 1 / MIN_RATIO,
    });
    // Paced: off, on, on, off, ... (a drift over the run falls on both sides alike).
    const paced: { on: typeof on; off: typeof on } = { on: [], off: [] };
    for (let i = 0; i < pairs * 2; i++) {
      const learn = i % 4 === 1 || i % 4 === 2;
      (learn ? paced.on : paced.off).push(await run(ctx, learn, durationS, PACED_RATE));
    }
    ctx.raw.learningPaced = paced;
    const pacedRatio = round(cpuPerEventUs(paced.on) / cpuPerEventUs(paced.off), 3);
    ctx.add({
      scenario: 'learning',
      metric: `server CPU µs per event at ${PACED_RATE} req/s (${Math.round(rate(paced.on))} / ${Math.round(rate(paced.off))} reached), learning on vs off`,
      value: round(cpuPerEventUs(paced.on), 1),
      baseline: round(cpuPerEventUs(paced.off), 1),
      ratio: pacedRatio,
      target: `ratio <= ${round(1 / MIN_RATIO, 3)}`,
      pass: pacedRatio <= 1 / MIN_RATIO,
    });
    const failures = [...on, ...off, ...paced.on, ...paced.off].reduce(
      (n, r) => n + r.result.non2xx + r.result.errors + r.result.timeouts,
      0,
    );
    ctx.add({
      scenario: 'learning',
      metric: 'non-2xx / errors, both sides',
      value: failures,
      target: '0',
      pass: failures === 0,
    });
    const learned = [...on, ...paced.on].every((r) => r.learned === r.stored && r.stored > 0);
    const unlearned = [...off, ...paced.off].every((r) => r.learned === 0);
    ctx.add({
      scenario: 'learning',
      metric: 'events learned / stored (on), learned (off)',
      value: `${[...on, ...paced.on].map((r) => `${r.learned}/${r.stored}`).join(', ')}; ${[...off, ...paced.off].map((r) => r.learned).join(', ')}`,
      target: 'on: all; off: 0',
      pass: learned && unlearned,
    });
  },
};
