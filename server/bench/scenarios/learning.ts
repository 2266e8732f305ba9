import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BenchContext, Scenario } from '../context.js';
import { load, startHookscope, type LoadResult } from '../lib.js';
import { round } from '../report.js';

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

/** One sustained webhook load against a fresh server with SCHEMA_LEARNING set as given. */
async function run(ctx: BenchContext, learning: boolean, durationS: number) {
  const dataDir = ctx.tempDir();
  const server = await startHookscope(
    { DATA_DIR: dataDir, SCHEMA_LEARNING: learning ? 'true' : 'false' },
    ctx.port(),
  );
  const cpuBeforeMs = cpuMs(server.pid);
  const result = await load(`${server.url}/webhooks/event`, durationS);
  const serverCpuMs = cpuMs(server.pid) - cpuBeforeMs;
  await server.stop();
  const counts = countLearned(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  return { result, serverCpuMs, ...counts };
}

const sum = (results: LoadResult[], key: 'total' | 'non2xx' | 'errors'): number =>
  results.reduce((n, r) => n + r[key], 0);

/**
 * The ingest cost of learned schemas: the same load with SCHEMA_LEARNING on and off, in interleaved runs
 * (off, on, off, on, ...) so that the machine's drift over the run falls on both sides alike.
 */
export const learning: Scenario = {
  name: 'learning',
  async run(ctx) {
    const pairs = ctx.full ? 5 : 3;
    const durationS = Math.max(4, Math.round(ctx.loadS / 2));
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
    // Server CPU per stored event, both sides: the cost of learning itself, robust to a crowded machine.
    const cpuPerEventUs = (runs: typeof on): number =>
      (runs.reduce((n, r) => n + r.serverCpuMs, 0) * 1000) /
      Math.max(
        1,
        runs.reduce((n, r) => n + r.stored, 0),
      );
    const cpuRatio = round(cpuPerEventUs(on) / cpuPerEventUs(off), 3);
    ctx.add({
      scenario: 'learning',
      metric: 'server CPU µs per stored event, learning on vs off',
      value: round(cpuPerEventUs(on), 1),
      baseline: round(cpuPerEventUs(off), 1),
      ratio: cpuRatio,
      target: `ratio <= ${round(1 / MIN_RATIO, 3)}`,
      pass: cpuRatio <= 1 / MIN_RATIO,
    });
    const failures = [...on, ...off].reduce(
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
    const learned = on.every((r) => r.learned === r.stored && r.stored > 0);
    const unlearned = off.every((r) => r.learned === 0);
    ctx.add({
      scenario: 'learning',
      metric: 'events learned / stored (on), learned (off)',
      value: `${on.map((r) => `${r.learned}/${r.stored}`).join(', ')}; ${off.map((r) => r.learned).join(', ')}`,
      target: 'on: all; off: 0',
      pass: learned && unlearned,
    });
  },
};
