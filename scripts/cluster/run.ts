// `npm run test:cluster [-- --quick] [-- --redis]`: hookscope as three replicas on a private PostgreSQL
// behind HAProxy, loaded at a fixed rate while replicas are killed and drained and PostgreSQL (and Redis)
// restart; then the database and every subscriber are checked (docs/scaling.md, "How the cluster test
// proves it"). Exit code 0 when every check passed, 1 when one failed, 2 on a usage error.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../lib/cli.js';
import { checkPathOf, startBalancer, type Balancer } from './balancer.js';
import { chaosPlan, runChaos, type ChaosStep } from './chaos.js';
import {
  checkAcknowledged,
  checkMoved,
  checkSequences,
  checkSubscriber,
  describeGenerator,
  formatTable,
  type CheckResult,
  type StoredRow,
} from './checks.js';
import { startGenerator } from './generator.js';
import {
  cleanUp,
  createReplica,
  ensureBuild,
  sleep,
  startPostgres,
  startRedis,
  waitUntil,
  type PrivatePostgres,
  type PrivateRedis,
  type Replica,
} from './processes.js';
import { readPostgresRows, readSqliteRows } from './stored.js';
import { startSubscriber, type Subscriber } from './subscribers.js';

const USAGE = `usage: npm run test:cluster -- [--quick] [--redis] [--rate <events/s>] [--duration <s>] [--kills <n>]
                                [--replicas <n>] [--keep] [--sqlite]
  --quick      the CI run: 45 s of load, 3 kills (about 2 minutes in all)
  --redis      a private Redis carries the wake-up (REDIS_URL), and is restarted once
  --rate       webhooks per second through the balancer (default 300)
  --duration   seconds of load (default 150; 45 with --quick)
  --kills      kill -9 rounds (default 8; 3 with --quick)
  --replicas   replicas behind the balancer (default 3)
  --keep       keep the run's folder (logs, haproxy.cfg, pgdata) instead of deleting it
  --sqlite     the harness checked on itself: ONE SQLite replica, no PostgreSQL; chaos only with --kills`;

interface Flags {
  help?: boolean;
  quick?: boolean;
  redis?: boolean;
  rate?: string;
  duration?: string;
  kills?: string;
  replicas?: string;
  keep?: boolean;
  sqlite?: boolean;
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const fail = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got "${text}"`);
  return n;
}

const flags = parseFlags<Flags>(
  process.argv.slice(2),
  {
    help: { type: 'boolean', short: 'h' },
    quick: { type: 'boolean' },
    redis: { type: 'boolean' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    kills: { type: 'string' },
    replicas: { type: 'string' },
    keep: { type: 'boolean' },
    sqlite: { type: 'boolean' },
  },
  USAGE,
  fail,
);
const sqliteMode = flags.sqlite === true;
const rate = positive('rate', flags.rate, 300);
const durationMs = positive('duration', flags.duration, flags.quick ? 45 : 150) * 1_000;
const kills = Math.floor(positive('kills', flags.kills, sqliteMode ? 0 : flags.quick ? 3 : 8));
const replicaCount = sqliteMode ? 1 : Math.floor(positive('replicas', flags.replicas, 3));
if (sqliteMode && flags.redis) fail('--sqlite runs one replica: there is no wake-up channel to carry');

const dir = mkdtempSync(join(tmpdir(), 'hookscope-cluster-'));
// PostgreSQL runs as its own user and must reach its data folder below this one.
chmodSync(dir, 0o755);
const runId = `cl-${randomBytes(4).toString('hex')}`;

let finishing = false;
async function finish(code: number): Promise<never> {
  finishing = true;
  await cleanUp(log);
  // A failed run keeps its folder (every process's log) for a look; a passed or interrupted one does not.
  if (flags.keep || code === 1) log(`run folder kept: ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
// Ctrl-C or a CI timeout: stop everything this run started before going. A terminal's Ctrl-C reaches this
// process twice (from the terminal, and relayed by tsx): a signal while the clean-up runs is ignored.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (finishing) return;
    log(`${signal}: stopping everything the run started`);
    void finish(130);
  });
}

async function main(): Promise<number> {
  const t = (): string => `[+${(performance.now() / 1_000).toFixed(1)} s]`;
  log(
    `${t()} cluster test ${runId}: ${replicaCount} replica(s), ${rate}/s for ${durationMs / 1_000} s, ` +
      `${kills} kills${flags.redis ? ', Redis' : ''}${sqliteMode ? ', SQLite' : ''}; folder ${dir}`,
  );
  await ensureBuild(log);

  let postgresDb: PrivatePostgres | null = null;
  let redis: PrivateRedis | null = null;
  const env: Record<string, string> = {};
  if (!sqliteMode) {
    postgresDb = await startPostgres(dir);
    env.DATABASE_URL = postgresDb.url;
    log(`${t()} PostgreSQL 15 on port ${postgresDb.port}`);
  }
  if (flags.redis) {
    redis = await startRedis(dir);
    env.REDIS_URL = redis.url;
    log(`${t()} Redis on ${redis.url}`);
  }
  const replicas: Replica[] = [];
  for (let i = 1; i <= replicaCount; i++) replicas.push(await createReplica(`r${i}`, dir, env));
  // Started together: the migrations' advisory lock is what keeps them from racing.
  await Promise.all(replicas.map((r) => r.start()));
  log(`${t()} replicas ready: ${replicas.map((r) => `${r.name} :${r.port}`).join(', ')}`);
  // /readyz is the health check; a build without it (the SQLite development check) falls back to /healthz.
  const checkPath = await checkPathOf((replicas[0] as Replica).url);
  const balancer: Balancer = await startBalancer(dir, replicas, checkPath);
  log(`${t()} HAProxy on ${balancer.url}, health check ${checkPath}`);

  const wsOf = (url: string): string => `${url.replace(/^http/, 'ws')}/graphql`;
  const subscribers: Subscriber[] = [];
  for (let i = 1; i <= 3; i++) {
    subscribers.push(startSubscriber({ name: `lb${i}`, wsUrl: wsOf(balancer.url), via: 'balancer' }));
  }
  for (const replica of replicas) {
    subscribers.push(
      startSubscriber({ name: `d-${replica.name}`, wsUrl: wsOf(replica.url), via: replica.name }),
    );
  }
  await Promise.race([
    Promise.all(subscribers.map((s) => s.connected)),
    sleep(15_000).then(() => {
      throw new Error('the subscribers did not connect within 15 s');
    }),
  ]);
  log(`${t()} ${subscribers.length} subscribers connected`);

  const t0 = performance.now();
  const generator = startGenerator({ url: balancer.url, ratePerSecond: rate, runId });
  // The SQLite self-check has chaos only when asked for kills (and then one drain too).
  const plan =
    sqliteMode && kills === 0
      ? []
      : chaosPlan(kills, { postgres: postgresDb !== null, redis: redis !== null });
  const chaos = runChaos(plan, { replicas, postgres: postgresDb, redis }, durationMs, t0, log);
  // A late subscriber resumes from a cursor well behind the head: the replay path, mid-chaos.
  const late = (async () => {
    await sleep(durationMs * 0.4);
    const behind = Math.max(
      0,
      Math.max(...subscribers.map((s) => s.last())) - Math.min(2_000, Math.floor(rate * 5)),
    );
    const subscriber = startSubscriber({
      name: 'late',
      wsUrl: wsOf(balancer.url),
      via: 'balancer',
      after: String(behind),
    });
    subscribers.push(subscriber);
    log(`${t()} late subscriber resumes after ${behind}`);
  })();
  const progress = setInterval(() => {
    const r = generator.report;
    log(
      `${t()} sent ${r.started}, acknowledged ${r.acknowledged.size}, in flight ${generator.inFlight()}, ` +
        `subscribers at ${subscribers.map((s) => s.last()).join('/')}`,
    );
  }, 10_000);
  let steps: ChaosStep[];
  try {
    await sleep(durationMs);
    steps = await chaos;
    await late;
  } finally {
    clearInterval(progress);
  }
  log(`${t()} load stops; waiting for deliveries in flight`);
  const report = await generator.stop();

  const rows: StoredRow[] = postgresDb
    ? await readPostgresRows(postgresDb.url)
    : readSqliteRows(join(dir, 'r1'));
  const sequences = checkSequences(rows);
  const last = sequences.last;
  // Every subscriber should reach the last stored position; bounded, and a laggard fails its check.
  const settled = (s: Subscriber): boolean =>
    s.last() >= last || s.record.errors.length > 0 || s.record.completed;
  await waitUntil(
    'every subscriber reaches the last position',
    () => subscribers.every(settled),
    30_000,
  ).catch((error: Error) => log(`${t()} ${error.message}`));
  await Promise.all(subscribers.map((s) => s.dispose()));

  const stored = rows.map((r) => r.sequence).sort((a, b) => a - b);
  const results: CheckResult[] = [
    checkAcknowledged(report.acknowledged, rows),
    sequences,
    ...subscribers.map((s) => checkSubscriber(s.record, stored, last)),
    checkMoved(
      subscribers.map((s) => s.record),
      kills > 0 && replicas.length > 1 ? 1 : 0,
    ),
  ];
  log('');
  log(`generator: ${describeGenerator(report)}`);
  log(`chaos: ${steps.length ? steps.map((s) => `${s.what} (${s.recoveredMs} ms)`).join(', ') : 'none'}`);
  log(`replica starts: ${replicas.map((r) => `${r.name} ${r.starts()}`).join(', ')}`);
  log('');
  log(formatTable(results));
  const passed = results.every((r) => r.ok);
  log('');
  log(passed ? `cluster test passed (${results.length} checks)` : 'cluster test FAILED');
  if (!passed)
    for (const r of replicas)
      log(`--- ${r.name} log (last lines)\n${r.logTail(15).replace(/^(.{300}).+$/gm, '$1…')}`);
  return passed ? 0 : 1;
}

main().then(
  (code) => (finishing ? undefined : finish(code)),
  (error: unknown) => {
    if (finishing) return undefined;
    log(`cluster test FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return finish(1);
  },
);
