import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPathOf, startBalancer } from '../../../scripts/cluster/balancer.js';
import { startGenerator } from '../../../scripts/cluster/generator.js';
import {
  cleanUp,
  createReplica,
  sleep,
  startPostgres,
  waitUntil,
  type PrivatePostgres,
  type Replica,
} from '../../../scripts/cluster/processes.js';
import { startSubscriber } from '../../../scripts/cluster/subscribers.js';
import { packageRoot } from '../../src/shared/paths.js';
import type { BenchContext, Scenario } from '../context.js';
import { load } from '../lib.js';
import { round } from '../report.js';

const NAME = 'cluster';
const log = (line: string): void => void process.stdout.write(`  ${line}\n`);

/** The highest position committed so far, read from the database itself. */
function head(pg: PrivatePostgres): number {
  return Number(pg.psql('SELECT coalesce(max(sequence), 0) FROM events').trim());
}

/**
 * Ingest on PostgreSQL: one replica (baseline: one SQLite process under the same load), then three replicas
 * through HAProxy against one replica through the same HAProxy (the balancer's own cost is in both).
 */
async function ingest(ctx: BenchContext, dir: string, replicas: Replica[]): Promise<number> {
  const sqlite = await createReplica('sqlite', dir, {});
  await sqlite.start();
  const baseline = await load(`${sqlite.url}/webhooks/event`, ctx.loadS);
  await sqlite.kill();
  const [first] = replicas as [Replica];
  const one = await load(`${first.url}/webhooks/event`, ctx.loadS);
  ctx.raw.clusterOneReplica = one;
  ctx.raw.clusterSqliteBaseline = baseline;
  ctx.add({
    scenario: NAME,
    metric: 'one replica on PostgreSQL: acknowledged events/s (50 connections)',
    value: round(one.ok2xx / ctx.loadS, 0),
    baseline: round(baseline.ok2xx / ctx.loadS, 0),
    ratio: round(one.ok2xx / Math.max(1, baseline.ok2xx)),
    target: '≥ 5,000/s (baseline: one SQLite process)',
    pass: one.ok2xx / ctx.loadS >= 5_000 && one.non2xx === 0,
  });
  ctx.add({
    scenario: NAME,
    metric: 'one replica on PostgreSQL: ack p99 (ms)',
    value: one.p99Ms,
    baseline: baseline.p99Ms,
    target: '≤ 30 ms',
    pass: one.p99Ms <= 30,
  });
  const lbOneDir = join(dir, 'lb-one');
  const lbAllDir = join(dir, 'lb-all');
  mkdirSync(lbOneDir);
  mkdirSync(lbAllDir);
  const checkPath = await checkPathOf(first.url);
  const lbOne = await startBalancer(lbOneDir, [first], checkPath);
  const lbAll = await startBalancer(lbAllDir, replicas, checkPath);
  const throughOne = await load(`${lbOne.url}/webhooks/event`, ctx.loadS, { connections: 60 });
  const throughAll = await load(`${lbAll.url}/webhooks/event`, ctx.loadS, { connections: 60 });
  ctx.raw.clusterThroughOne = throughOne;
  ctx.raw.clusterThroughAll = throughAll;
  ctx.add({
    scenario: NAME,
    metric: `${replicas.length} replicas through HAProxy: acknowledged events/s`,
    value: round(throughAll.ok2xx / ctx.loadS, 0),
    baseline: round(throughOne.ok2xx / ctx.loadS, 0),
    ratio: round(throughAll.ok2xx / Math.max(1, throughOne.ok2xx)),
    target: '≥ 0.9× one replica through the same HAProxy',
    pass: throughAll.ok2xx >= 0.9 * throughOne.ok2xx && throughAll.non2xx === 0,
  });
  return one.ok2xx / ctx.loadS;
}

/** Events per pgbench transaction: about what one replica's group commit batches under the ingest load. */
const PGBENCH_BATCH = 20;

/**
 * The database's own ceiling: pgbench, 4 clients, each transaction the store's ingest in the same shape
 * (the advisory lock first, the stream head advanced, the events, their delivery ids and entities in one
 * data-modifying statement), rows made in the server instead of sent as arrays. Against `oneRate`.
 */
async function ceiling(ctx: BenchContext, dir: string, pg: PrivatePostgres, oneRate: number): Promise<void> {
  const body = '{"action":"create","entity_type":"task","time":"2026-01-01T00:00:00Z","payload":{"id":"x"}}';
  const script = `\\set batch ${PGBENCH_BATCH}
BEGIN;
SELECT pg_advisory_xact_lock(4242, 4242);
UPDATE stream_head SET last_sequence = last_sequence + :batch,
  last_received_at = greatest(last_received_at, floor(extract(epoch from clock_timestamp()) * 1000)::int8)
  WHERE id = 1;
WITH head AS (SELECT last_sequence, last_received_at FROM stream_head WHERE id = 1),
new_events AS (
  INSERT INTO events (id, received_at, sequence, time, action, entity_type, entity_id, modified_fields,
                      delivery_id, headers, raw, search_text, drift)
  SELECT 'pgb' || md5(random()::text), head.last_received_at, head.last_sequence - :batch + g,
         head.last_received_at, 'create', 'task', 'pgb-' || g, NULL, 'pgb-' || md5(random()::text),
         '{"content-type":"application/json"}'::jsonb, convert_to('${body}', 'UTF8'), '${body}', NULL
  FROM head, generate_series(1, :batch) AS g
  RETURNING id, received_at, delivery_id
), delivery_ids AS (
  INSERT INTO event_delivery_ids (delivery_id, event_id, received_at)
  SELECT delivery_id, id, received_at FROM new_events
)
INSERT INTO entities (id, entity_type, last_received_at)
  SELECT 'pgb-' || g, 'task', (SELECT last_received_at FROM head) FROM generate_series(1, :batch) AS g
  ON CONFLICT (id) DO UPDATE SET last_received_at = excluded.last_received_at;
COMMIT;
`;
  const file = join(dir, 'ingest.sql');
  writeFileSync(file, script);
  chmodSync(file, 0o644);
  const output = pg.pgbench([
    '-n',
    '-M',
    'prepared',
    '-c',
    '4',
    '-j',
    '2',
    '-T',
    String(ctx.loadS),
    '-f',
    file,
  ]);
  const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 'NaN');
  const rate = tps * PGBENCH_BATCH;
  ctx.raw.clusterPgbench = { tps, batch: PGBENCH_BATCH, output };
  ctx.add({
    scenario: NAME,
    metric: `database ceiling: pgbench, 4 clients, ${PGBENCH_BATCH} events per ingest transaction (events/s)`,
    value: round(rate, 0),
    baseline: round(oneRate, 0),
    ratio: round(rate / Math.max(1, oneRate)),
    target: '≥ 3× one replica (baseline)',
    pass: rate >= 3 * oneRate,
  });
}

/** What the subscriber child (cluster-subscribers.ts) measured. */
interface SubscriberResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  incomplete: number;
  spread: number;
}

/** The `q` quantile of ascending `sorted`. */
const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * Each receipt's delay from its event's COMMIT: the commit timestamps PostgreSQL kept
 * (track_commit_timestamp, taken as the commit record is written, before its flush), by sequence.
 */
function commitDelays(pg: PrivatePostgres, receiptsPath: string): Float64Array {
  const pairs = new Float64Array(new Uint8Array(readFileSync(receiptsPath)).buffer);
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < pairs.length; i += 2) {
    low = Math.min(low, pairs[i] as number);
    high = Math.max(high, pairs[i] as number);
  }
  const committedMs = new Map<number, number>();
  if (pairs.length > 0) {
    const rows = pg.psql(
      `SELECT sequence, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 FROM events
       WHERE sequence BETWEEN ${low} AND ${high}`,
    );
    for (const line of rows.trim().split('\n')) {
      const [sequence, atMs] = line.split('|');
      committedMs.set(Number(sequence), Number(atMs));
    }
  }
  const delays = new Float64Array(pairs.length / 2);
  for (let i = 0; i < delays.length; i++) {
    delays[i] = (pairs[i * 2 + 1] as number) - (committedMs.get(pairs[i * 2] as number) ?? NaN);
  }
  return delays.sort();
}

/** 60 subscribers spread over the replicas (directly, in their own process), 1,000 events/s through the balancer. */
async function latency(
  ctx: BenchContext,
  dir: string,
  pg: PrivatePostgres,
  replicas: Replica[],
  balancerUrl: string,
): Promise<void> {
  const receiptsPath = join(dir, 'receipts.f64');
  const wsUrls = Array.from({ length: 60 }, (_, i) => {
    const replica = replicas[i % replicas.length] as Replica;
    return `${replica.url.replace(/^http/, 'ws')}/graphql`;
  });
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(packageRoot, 'server/bench/cluster-subscribers.ts'),
      JSON.stringify({ wsUrls, durationS: ctx.loadS + 5, receiptsPath }),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: packageRoot },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil('the 60 subscribers are subscribed', () => out.includes('READY'), 30_000, 20);
  await sleep(500);
  const generator = startGenerator({ url: balancerUrl, ratePerSecond: 1_000, runId: `bench-${Date.now()}` });
  await sleep(ctx.loadS * 1_000);
  const report = await generator.stop();
  await exited;
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`cluster-subscribers.ts printed no result:\n${out}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as SubscriberResult;
  const offered = report.acknowledged.size / ctx.loadS;
  const delays = commitDelays(pg, receiptsPath);
  const fromCommit = {
    p50Ms: quantile(delays, 0.5),
    p99Ms: quantile(delays, 0.99),
    maxMs: quantile(delays, 1),
  };
  const unmatched = delays.filter(Number.isNaN).length;
  ctx.raw.clusterLatency = { ...result, fromCommit, unmatched, acknowledgedPerS: offered };
  ctx.add({
    scenario: NAME,
    metric: `commit → subscriber, 1,000 events/s offered (${round(offered, 0)}/s acknowledged), 60 subscribers on 3 replicas: p50 / p99 (ms)`,
    value: `${round(fromCommit.p50Ms, 1)} / ${round(fromCommit.p99Ms, 1)}`,
    target: "p50 ≤ 10, p99 ≤ 50 (from each event's commit timestamp, same clock)",
    pass: fromCommit.p50Ms <= 10 && fromCommit.p99Ms <= 50 && unmatched === 0,
  });
  ctx.add({
    scenario: NAME,
    metric: 'receivedAt → subscriber, the same deliveries: p50 / p99 (ms)',
    value: `${round(result.p50Ms, 1)} / ${round(result.p99Ms, 1)}`,
    target: 'none: receivedAt is stamped under the ingest lock, before the insert and the COMMIT',
    pass: null,
  });
  ctx.add({
    scenario: NAME,
    metric: 'subscribers that missed or repeated an event (of 60)',
    value: result.incomplete,
    target: '0',
    pass: result.incomplete === 0 && result.samples > 0,
  });
}

/** A subscriber that reconnects 10,000 events behind: how long until it has the head (is live). */
async function catchUp(ctx: BenchContext, pg: PrivatePostgres, replica: Replica): Promise<void> {
  const target = head(pg);
  const behind = Math.min(10_000, target);
  const started = performance.now();
  const subscriber = startSubscriber({
    name: 'behind',
    wsUrl: `${replica.url.replace(/^http/, 'ws')}/graphql`,
    via: replica.name,
    after: String(target - behind),
  });
  const done = (): boolean => subscriber.last() >= target || subscriber.record.errors.length > 0;
  await waitUntil('the subscriber 10,000 behind catches up', done, 30_000, 5).catch(() => undefined);
  const ms = performance.now() - started;
  await subscriber.dispose();
  const got = subscriber.record.received;
  const complete =
    subscriber.record.errors.length === 0 && got.length === behind && new Set(got).size === behind;
  ctx.raw.clusterCatchUp = { behind, ms, received: got.length, errors: subscriber.record.errors };
  ctx.add({
    scenario: NAME,
    metric: `reconnect ${behind.toLocaleString('en')} events behind → live (ms)`,
    value: complete
      ? round(ms, 0)
      : `incomplete: ${got.length} received ${subscriber.record.errors.join('; ')}`,
    target: '≤ 3,000 ms, every event once',
    pass: complete && behind === 10_000 && ms <= 3_000,
  });
}

/** Kill -9 one of the replicas under 300 events/s through the balancer: time until served again. */
async function failover(ctx: BenchContext, replicas: Replica[], balancerUrl: string): Promise<void> {
  const attempts: { ok: boolean; atMs: number }[] = [];
  const generator = startGenerator({
    url: balancerUrl,
    ratePerSecond: 300,
    runId: `failover-${Date.now()}`,
    onAttempt: (ok, atMs) => attempts.push({ ok, atMs }),
  });
  await sleep(3_000);
  const victim = replicas[1] as Replica;
  const killedAt = performance.now();
  await victim.kill();
  await sleep(4_000);
  await generator.stop();
  const failures = attempts.filter((a) => !a.ok && a.atMs >= killedAt);
  const lastFailure = failures.length ? Math.max(...failures.map((a) => a.atMs)) - killedAt : 0;
  // Throughput back: the first 250 ms window after the kill with at least 90 % of the rate's successes.
  const okTimes = attempts.filter((a) => a.ok && a.atMs >= killedAt).map((a) => a.atMs - killedAt);
  let recoveredMs = Infinity;
  for (let start = 0; start < 4_000; start += 50) {
    const n = okTimes.filter((t) => t >= start && t < start + 250).length;
    if (n >= 0.9 * 300 * 0.25) {
      recoveredMs = start + 250;
      break;
    }
  }
  ctx.add({
    scenario: NAME,
    metric: 'kill -9 one of 3: last failed attempt after the kill (ms)',
    value: round(lastFailure, 0),
    target: '≤ 1,000 ms of client retries',
    pass: lastFailure <= 1_000,
  });
  ctx.add({
    scenario: NAME,
    metric: 'kill -9 one of 3: throughput back to 90 % (ms)',
    value: Number.isFinite(recoveredMs) ? recoveredMs : 'never',
    target: '≤ 2,000 ms',
    pass: recoveredMs <= 2_000,
  });
  await victim.start();
}

/**
 * The scale-out figures (issue 11's targets): PostgreSQL ingest, three replicas against one, commit to
 * delivery across replicas, catch-up, and failover, each with its baseline in the same run.
 */
export const cluster: Scenario = {
  name: NAME,
  // A private PostgreSQL, four replicas and HAProxy: `npm run bench -- --only=cluster`.
  optIn: true,
  async run(ctx) {
    const dir = ctx.tempDir();
    chmodSync(dir, 0o755);
    try {
      const pg = await startPostgres(dir, { trackCommitTimestamps: true });
      const env = { DATABASE_URL: pg.url };
      const replicas: Replica[] = [];
      for (let i = 1; i <= 3; i++) replicas.push(await createReplica(`r${i}`, dir, env));
      await Promise.all(replicas.map((r) => r.start()));
      log('PostgreSQL and 3 replicas ready');
      const oneRate = await ingest(ctx, dir, replicas);
      const lbDir = join(dir, 'lb');
      mkdirSync(lbDir);
      const balancer = await startBalancer(lbDir, replicas, await checkPathOf((replicas[0] as Replica).url));
      await latency(ctx, dir, pg, replicas, balancer.url);
      await catchUp(ctx, pg, replicas[0] as Replica);
      await failover(ctx, replicas, balancer.url);
      await ceiling(ctx, dir, pg, oneRate);
    } finally {
      await cleanUp(log);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
