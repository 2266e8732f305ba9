import { execSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { packageRoot } from '../src/shared/paths.js';
import {
  loopDelay,
  quantile,
  rssMb,
  runChild,
  SAMPLE_BODY,
  sleep,
  startBaseline,
  startHookscope,
} from './lib.js';
import { BIG_ENTITY_ID, RARE_TERM, seed } from './seed.js';
import {
  StreamEventAddedSubscription,
  StreamEventsQuery,
  StreamRow_event,
} from '../../web/src/routes/stream/operations.js';

/**
 * hookscope's benchmark suite: `npm run bench` (quick) or `npm run bench -- --full`. Every scenario runs
 * the server (compiled, synchronous=FULL) in its own process, the load in another, and measures its
 * baseline in the same run, so that ratios stay meaningful on a shared, noisy machine.
 */
const full = process.argv.includes('--full');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const SIZE = full ? 1_000_000 : 200_000;
const LOAD_S = full ? 20 : 8;

interface Row {
  scenario: string;
  metric: string;
  value: number | string;
  baseline?: number | string;
  ratio?: number;
  target: string;
  pass: boolean | null;
}
const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const add = (row: Row) => {
  rows.push(row);
  const status = row.pass === null ? 'info' : row.pass ? 'PASS' : 'MISS';
  process.stdout.write(
    `  [${status}] ${row.scenario} / ${row.metric}: ${row.value}${row.baseline !== undefined ? ` (baseline ${row.baseline}${row.ratio !== undefined ? `, ratio ${row.ratio}` : ''})` : ''} target ${row.target}\n`,
  );
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
// BENCH_PORT_BASE: two suites on one machine (another worktree's) must not share ports, or one's load
// and queries reach the other's server (its own fails to bind, the health probe still answers).
let nextPort = Number(process.env.BENCH_PORT_BASE ?? 18_100);
const port = () => nextPort++;
const tempDir = () => mkdtempSync(join(tmpdir(), 'hookscope-bench-'));

interface LoadResult {
  requestsPerS: number;
  total: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}
const load = (url: string, durationS: number, extra: { connections?: number; overallRate?: number } = {}) =>
  runChild<LoadResult>('load.ts', {
    url,
    body: SAMPLE_BODY,
    connections: extra.connections ?? 50,
    durationS,
    ...extra,
  });

const countRows = (dataDir: string): number => {
  const db = new Database(join(dataDir, 'hookscope.db'), { readonly: true });
  const n = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  db.close();
  return n;
};

/** The dashboard's own live subscription, row fields (and their per-event warnings) included. */
const DASHBOARD_QUERY = `${StreamEventAddedSubscription}\n${StreamRow_event}`;

/** Starts the listen-mode subscriber child and resolves once all its sockets are subscribed. */
async function listeners(url: string, subscribers: number, durationS: number) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(packageRoot, 'server/bench/fanout.ts'),
      JSON.stringify({ url, subscribers, query: DASHBOARD_QUERY, mode: 'listen', ratePerS: 0, durationS }),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: packageRoot },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('READY')) {
    if (child.exitCode !== null) throw new Error(`listeners failed: ${out}`);
    await sleep(20);
  }
  return {
    done: () =>
      new Promise<{ delivered: number }>((resolve) =>
        child.once('exit', () =>
          resolve(JSON.parse(out.split('RESULT ')[1] ?? '{}') as { delivered: number }),
        ),
      ),
  };
}

/** What one group commit costs on this disk right now: a 50-row transaction with synchronous=FULL. */
function diskCommitMs(): { p50: number; p90: number; max: number } {
  const dir = tempDir();
  const db = new Database(join(dir, 'probe.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (raw BLOB)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  const body = Buffer.from(SAMPLE_BODY);
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = performance.now();
    db.transaction(() => {
      for (let j = 0; j < 50; j++) insert.run(body);
    })();
    times.push(performance.now() - started);
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { p50: quantile(times, 0.5), p90: quantile(times, 0.9), max: Math.max(...times) };
}

async function ingest(): Promise<void> {
  const disk = diskCommitMs();
  raw.diskCommitMs = disk;
  add({
    scenario: 'ingest',
    metric: 'disk: one 50-row FULL commit (fsync), p50 / p90 / max ms',
    value: `${round(disk.p50)} / ${round(disk.p90)} / ${round(disk.max)}`,
    target: 'context',
    pass: null,
  });
  process.stdout.write(`ingest (${LOAD_S} s per run, 50 connections, ${SAMPLE_BODY.length}-byte body)\n`);
  const base = await startBaseline(port());
  const baseline = await load(`${base.url}/ingest`, LOAD_S);
  await base.stop();
  for (const subscribers of [0, 5]) {
    const dataDir = tempDir();
    const server = await startHookscope({ DATA_DIR: dataDir }, port());
    const listening = subscribers > 0 ? await listeners(server.url, subscribers, LOAD_S + 4) : null;
    const result = await load(`${server.url}/webhooks/event`, LOAD_S);
    const heard = listening ? await listening.done() : null;
    await server.stop();
    const stored = countRows(dataDir);
    // The subscribers' probes went through the webhook too: they are stored rows without a load 2xx.
    rmSync(dataDir, { recursive: true, force: true });
    raw[`ingest_${subscribers}`] = { baseline, result, stored, heard };
    const ratio = round(result.requestsPerS / baseline.requestsPerS);
    add({
      scenario: 'ingest',
      metric: `req/s, ${subscribers} subscribers`,
      value: Math.round(result.requestsPerS),
      baseline: Math.round(baseline.requestsPerS),
      ratio,
      target: subscribers === 0 ? 'ratio >= 0.55' : 'ratio >= 0.45',
      pass: ratio >= (subscribers === 0 ? 0.55 : 0.45),
    });
    add({
      scenario: 'ingest',
      metric: `non-2xx / errors, ${subscribers} subscribers`,
      value: `${result.non2xx} / ${result.errors + result.timeouts}`,
      target: '0 / 0',
      pass: result.non2xx === 0 && result.errors + result.timeouts === 0,
    });
    // autocannon stops counting at the deadline with up to one request per connection in flight: those
    // are stored and answered 201, but not counted. A row missing (stored < 2xx) would be a lost ack.
    const uncounted = stored - result.ok2xx;
    add({
      scenario: 'ingest',
      metric: `rows stored vs 2xx counted, ${subscribers} subscribers`,
      value: `${stored} / ${result.ok2xx}`,
      target: 'stored - 2xx in [0, connections + probes]',
      pass: uncounted >= 0 && uncounted <= 50 + (heard ? 500 : 0),
    });
    if (heard) {
      add({
        scenario: 'ingest',
        metric: 'deliveries to 5 subscribers',
        value: heard.delivered,
        target: `>= 5 x 2xx (${5 * result.ok2xx})`,
        pass: heard.delivered >= 5 * result.ok2xx,
      });
    }
  }
}

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

async function fanout(): Promise<void> {
  const subscribers = 100;
  const durationS = full ? 20 : 8;
  const warmupS = 2;
  process.stdout.write(
    `fan-out (${subscribers} subscribers, 1,000 events/s, ${durationS} s after ${warmupS} s of warm-up)\n`,
  );
  const args = { subscribers, query: DASHBOARD_QUERY, mode: 'fanout', ratePerS: 1_000, durationS, warmupS };
  const base = await startBaseline(port());
  const baseline = await runChild<FanoutResult>('fanout.ts', { url: base.url, ...args });
  await base.stop();
  const dataDir = tempDir();
  const server = await startHookscope({ DATA_DIR: dataDir }, port());
  const result = await runChild<FanoutResult>('fanout.ts', { url: server.url, ...args });
  const loop = await loopDelay(server);
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  raw.fanout = { baseline, result, loop };
  add({
    scenario: 'fan-out',
    metric: 'p99 POST answer -> receipt (ms)',
    value: round(result.p99Ms),
    baseline: round(baseline.p99Ms),
    target: '<= 15 ms',
    pass: result.p99Ms <= 15,
  });
  add({
    scenario: 'fan-out',
    metric: 'p50 (ms)',
    value: round(result.p50Ms),
    baseline: round(baseline.p50Ms),
    target: 'info',
    pass: null,
  });
  add({
    scenario: 'fan-out',
    metric: 'deliveries / expected',
    value: `${result.delivered} / ${result.expected}`,
    baseline: `${baseline.delivered} / ${baseline.expected}`,
    target: 'every subscriber gets every event',
    pass: result.delivered === result.expected && result.postErrors === 0,
  });
  add({
    scenario: 'fan-out',
    metric: 'p99 first second -> last second (ms)',
    value: `${round(result.firstSecondP99Ms)} -> ${round(result.lastSecondP99Ms)}`,
    target: 'no growing backlog',
    pass: result.lastSecondP99Ms <= Math.max(15, 2 * result.firstSecondP99Ms),
  });
}

/** One keep-alive connection, as a dashboard or Sandbox holds: the round trip then has no connect cost. */
const queryAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function postQuery(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/graphql`,
      { method: 'POST', agent: queryAgent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Times `iterations` round trips of one query after `warmup` untimed ones (the first runs of a query
 * compile its plan and its JIT code; `warmup: 0` measures exactly that first run).
 */
async function timeQuery(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  iterations: number,
  warmup = 10,
) {
  const body = JSON.stringify({ query, variables });
  const times: number[] = [];
  let last: unknown = null;
  for (let i = 0; i < warmup + iterations; i++) {
    const started = performance.now();
    last = JSON.parse(await postQuery(url, body));
    if (i >= warmup) times.push(performance.now() - started);
  }
  const errors = (last as { errors?: unknown[] }).errors;
  if (errors) throw new Error(`query failed: ${JSON.stringify(errors)}`);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), last };
}

let seededDir: string | null = null;
function seeded(): string {
  if (seededDir) return seededDir;
  seededDir = tempDir();
  const now = Date.now();
  process.stdout.write(`  seeding ${SIZE.toLocaleString('en')} events straight into SQLite...\n`);
  const result = seed({
    dataDir: seededDir,
    count: SIZE,
    fromMs: now - 6 * 86_400_000,
    toMs: now - 60_000,
    bigEntityEvents: 10_000,
    rareEvery: 20_000,
  });
  raw.seed = result;
  process.stdout.write(`  seeded in ${Math.round(result.ms / 1000)} s\n`);
  return seededDir;
}

const ENTITY_QUERY = 'query($id: ID!) { entity(id: $id) { id version state warnings } }';

async function queries(): Promise<void> {
  process.stdout.write(
    `queries at ${SIZE.toLocaleString('en')} stored events${full ? '' : ' (quick mode; --full uses 1,000,000)'}\n`,
  );
  const dataDir = seeded();
  const server = await startHookscope({ DATA_DIR: dataDir }, port());
  const n = full ? 200 : 60;
  const floor = await timeQuery(server.url, '{ __typename }', {}, n);
  const page = '{ id action entityType entityId time receivedAt payload }';
  const cases: [string, string, Record<string, unknown>, number][] = [
    [
      'newest page of 50',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } pageInfo { endCursor } } }`,
      {},
      2,
    ],
    [
      "the dashboard's stream query (page of 50, warnings, totalCount)",
      `${StreamEventsQuery}\n${StreamRow_event}`,
      { first: 50 },
      5,
    ],
    [
      'filter action',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } } }`,
      { f: { action: 'delete' } },
      5,
    ],
    [
      'filter entityType',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } } }`,
      { f: { entityType: 'component' } },
      5,
    ],
    [
      'filter entityId',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } } }`,
      { f: { entityId: BIG_ENTITY_ID } },
      5,
    ],
    [
      'filter since/until',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } } }`,
      {
        f: {
          since: new Date(Date.now() - 3 * 86_400_000).toISOString(),
          until: new Date(Date.now() - 2 * 86_400_000).toISOString(),
        },
      },
      5,
    ],
    [
      'search, rare term',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } } }`,
      { f: { search: RARE_TERM } },
      5,
    ],
    [
      'search, common term',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } } }`,
      { f: { search: 'name' } },
      5,
    ],
    [
      'search, absent term',
      `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${page} } } }`,
      { f: { search: 'qqqxxyy' } },
      5,
    ],
    [
      'page + totalCount',
      `query($f: EventFilter) { events(filter: $f, first: 50) { totalCount edges { node ${page} } } }`,
      {},
      5,
    ],
    [
      'page + totalCount, filter action',
      `query($f: EventFilter) { events(filter: $f, first: 50) { totalCount edges { node ${page} } } }`,
      { f: { action: 'update' } },
      5,
    ],
    // The dashboard asks for totalCount with every search.
    [
      'search + totalCount, rare term',
      `query($f: EventFilter) { events(filter: $f, first: 50) { totalCount edges { node ${page} } } }`,
      { f: { search: RARE_TERM } },
      5,
    ],
    [
      'search + totalCount, common term',
      `query($f: EventFilter) { events(filter: $f, first: 50) { totalCount edges { node ${page} } } }`,
      { f: { search: 'name' } },
      5,
    ],
    [
      'stats',
      '{ stats { totalEvents totalEntities byEntityType { entityType count } byAction { action count } oldestReceivedAt newestReceivedAt } }',
      {},
      5,
    ],
    ['entity of 10,000 events (fold, cached)', ENTITY_QUERY, { id: BIG_ENTITY_ID }, 10],
  ];
  // The first fold of the big entity, before the cache holds it.
  const cold = await timeQuery(server.url, ENTITY_QUERY, { id: BIG_ENTITY_ID }, 1, 0);
  for (const [name, query, variables, targetMs] of cases) {
    const timing = await timeQuery(server.url, query, variables, n);
    const net = timing.p50;
    raw[`query ${name}`] = { p50: timing.p50, p99: timing.p99 };
    add({
      scenario: 'queries',
      metric: `${name}: p50 ms (HTTP round trip)`,
      value: round(net),
      baseline: round(floor.p50),
      target: `<= ${targetMs} ms`,
      pass: net <= targetMs,
    });
  }
  add({
    scenario: 'queries',
    metric: 'entity of 10,000 events, first (uncached) fold, ms',
    value: round(cold.p50),
    baseline: round(floor.p50),
    target: '<= 10 ms',
    pass: cold.p50 <= 10,
  });
  // A hot entity: each new event makes the cached fold stale; what the next read costs is what a
  // dashboard showing that entity (or its events' warnings) pays per change.
  const changed: number[] = [];
  for (let i = 0; i < 9; i++) {
    const response = await fetch(`${server.url}/webhooks/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        action: 'update',
        entity_type: 'task',
        time: new Date().toISOString(),
        id: BIG_ENTITY_ID,
        modified_fields: ['n'],
        payload: { n: -i },
      }),
    });
    if (response.status !== 201) throw new Error(`bench update refused: ${response.status}`);
    changed.push((await timeQuery(server.url, ENTITY_QUERY, { id: BIG_ENTITY_ID }, 1, 0)).p50);
  }
  raw['query entity refold after a change'] = changed;
  add({
    scenario: 'queries',
    metric: 'entity of 10,000 events, first read after a new event, p50 ms',
    value: round(quantile(changed, 0.5)),
    baseline: round(floor.p50),
    target: '<= 10 ms',
    pass: quantile(changed, 0.5) <= 10,
  });
  await server.stop();
}

async function footprint(): Promise<void> {
  process.stdout.write(`footprint with ${SIZE.toLocaleString('en')} stored events\n`);
  const dataDir = seeded();
  const base = await startBaseline(port());
  await base.stop();
  const server = await startHookscope({ DATA_DIR: dataDir }, port());
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(server.pid)), 200);
  const result = await load(`${server.url}/webhooks/event`, LOAD_S * 2);
  clearInterval(sampler);
  await server.stop();
  const peak = Math.max(...samples);
  raw.footprint = { startupMs: server.startupMs, baselineStartupMs: base.startupMs, rss: samples, result };
  add({
    scenario: 'footprint',
    metric: 'peak RSS under sustained ingest (MB)',
    value: peak,
    target: '<= 300 MB',
    pass: peak <= 300,
  });
  add({
    scenario: 'footprint',
    metric: 'start-up to accepting requests (ms)',
    value: Math.round(server.startupMs),
    baseline: Math.round(base.startupMs),
    target: '<= 1000 ms',
    pass: server.startupMs <= 1000,
  });
}

const dbBytes = (dataDir: string) =>
  readdirSync(dataDir)
    .filter((f) => f.startsWith('hookscope.db'))
    .reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0);

async function purge(): Promise<void> {
  process.stdout.write(`purge of ${SIZE.toLocaleString('en')} expired events under ingest\n`);
  const dataDir = tempDir();
  const now = Date.now();
  // All rows within one second, so that they expire together `expireAfterS` after the server starts.
  seed({ dataDir, count: SIZE, fromMs: now - 1_000, toMs: now });
  const expireAfterS = 15;
  const rateArgs = { connections: 10, overallRate: 300 };
  const server = await startHookscope(
    {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      EVENT_RETENTION: `${Date.now() - now + expireAfterS * 1_000}ms`,
      PURGE_INTERVAL: '1s',
    },
    port(),
  );
  const started = performance.now();
  const sizeBefore = dbBytes(dataDir);
  await loopDelay(server); // start-up is not part of either figure
  const unloaded = await load(`${server.url}/webhooks/event`, 8, rateArgs);
  // The same ingest before anything expires: what the shared machine stalls the loop by without a purge.
  const quiet = await loopDelay(server);
  await sleep(Math.max(0, expireAfterS * 1_000 - (performance.now() - started) - 500));
  // The purge is paced (see retention.ts): long enough for all of it to happen under load.
  const loadS = full ? 150 : 30;
  const during = await load(`${server.url}/webhooks/event`, loadS, rateArgs);
  const loop = await loopDelay(server);
  // A purge that starts while rows are still expiring reports in several passes: add them up.
  const purged = [...server.stdout().matchAll(/"eventCount":(\d+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  await server.stop();
  const sizeAfter = dbBytes(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  raw.purge = { unloaded, during, quiet, loop, purged, sizeBefore, sizeAfter };
  add({
    scenario: 'purge',
    metric: 'events purged during the run',
    value: purged,
    target: `${SIZE}`,
    pass: purged >= SIZE,
  });
  add({
    scenario: 'purge',
    metric: 'longest event-loop stall (ms)',
    value: loop.maxMs,
    baseline: quiet.maxMs,
    target: '<= 25 ms',
    pass: loop.maxMs <= 25,
  });
  add({
    scenario: 'purge',
    metric: 'event-loop delay p99 / p99.9 (ms)',
    value: `${loop.p99Ms} / ${loop.p999Ms}`,
    baseline: `${quiet.p99Ms} / ${quiet.p999Ms}`,
    target: 'info',
    pass: null,
  });
  add({
    scenario: 'purge',
    metric: 'ingest p99 at 300 req/s during purge (ms)',
    value: during.p99Ms,
    baseline: unloaded.p99Ms,
    ratio: round(during.p99Ms / Math.max(1, unloaded.p99Ms)),
    target: '<= 2x unloaded',
    pass: during.p99Ms <= 2 * Math.max(1, unloaded.p99Ms) && during.non2xx === 0,
  });
  add({
    scenario: 'purge',
    metric: 'database file MB before -> after',
    value: `${round(sizeBefore / 1e6, 0)} -> ${round(sizeAfter / 1e6, 0)}`,
    target: 'space given back',
    pass: sizeAfter < sizeBefore / 2,
  });
}

async function dashboard(): Promise<void> {
  process.stdout.write('dashboard\n');
  if (!existsSync(join(packageRoot, 'dist/web/index.html')))
    execSync('npm run build:web', { cwd: packageRoot, stdio: 'inherit' });
  const assets = join(packageRoot, 'dist/web/assets');
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const file of readdirSync(assets).filter((f) => /\.(js|css)$/.test(f))) {
    const content = readFileSync(join(assets, file));
    rawBytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  add({
    scenario: 'dashboard',
    metric: 'bundle JS+CSS, gzipped (KB)',
    value: round(gzipBytes / 1024, 1),
    baseline: `${round(rawBytes / 1024, 1)} raw`,
    target: 'report',
    pass: null,
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const measure = async (url: string, ratePerS: number) => {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`${url}/dashboard/`, { waitUntil: 'networkidle' });
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
    const durationS = full ? 20 : 10;
    const started = performance.now();
    let posted = 0;
    while (performance.now() - started < durationS * 1_000) {
      const due = Math.floor(((performance.now() - started) / 1_000) * ratePerS);
      const batch: Promise<unknown>[] = [];
      for (; posted < due; posted++) {
        batch.push(
          fetch(`${url}/webhooks/event`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: SAMPLE_BODY,
          }),
        );
      }
      await Promise.all(batch);
      await sleep(10);
    }
    await sleep(500);
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    await page.close();
    return { posted, count: longTasks.length, maxMs: longTasks.length ? Math.max(...longTasks) : 0 };
  };
  const dataDir = tempDir();
  const server = await startHookscope({ DATA_DIR: dataDir }, port());
  const idle = await measure(server.url, 0);
  const busy = await measure(server.url, 100);
  await server.stop();
  await browser.close();
  rmSync(dataDir, { recursive: true, force: true });
  raw.dashboard = { gzipBytes, rawBytes, idle, busy };
  add({
    scenario: 'dashboard',
    metric: `long tasks at 100 events/s (count, longest ms)`,
    value: `${busy.count}, ${round(busy.maxMs, 0)}`,
    baseline: `${idle.count}, ${round(idle.maxMs, 0)} idle`,
    target: 'no long task over 50 ms',
    pass: busy.maxMs <= 50,
  });
}

const scenarios: [string, () => Promise<void>][] = [
  ['ingest', ingest],
  ['fanout', fanout],
  ['queries', queries],
  ['footprint', footprint],
  ['purge', purge],
  ['dashboard', dashboard],
];

const startedAt = new Date();
process.stdout.write(`hookscope bench (${full ? 'full' : 'quick'}): building the server...\n`);
execSync('npm run build:server', { cwd: packageRoot, stdio: 'ignore' });
for (const [name, run] of scenarios) {
  if (only && !only.includes(name)) continue;
  try {
    await run();
  } catch (error) {
    add({
      scenario: name,
      metric: 'scenario failed',
      value: String(error).slice(0, 200),
      target: 'runs',
      pass: false,
    });
  }
}
if (seededDir) rmSync(seededDir, { recursive: true, force: true });

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${process.platform}`;
const table = [
  `Run ${startedAt.toISOString()} (${full ? 'full' : `quick: ${SIZE.toLocaleString('en')} stored events`}), ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s, on ${machine}.`,
  '',
  '| scenario | metric | hookscope | baseline (same run) | ratio | target | result |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.metric} | ${r.value} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.target} | ${r.pass === null ? 'info' : r.pass ? 'met' : '**missed**'} |`,
  ),
].join('\n');
const outDir = join(packageRoot, 'bench-results');
mkdirSync(outDir, { recursive: true });
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
writeFileSync(
  join(outDir, `${stamp}.json`),
  JSON.stringify({ startedAt, full, size: SIZE, machine, rows, raw }, null, 2),
);
writeFileSync(join(outDir, `${stamp}.md`), `${table}\n`);
process.stdout.write(`\n${table}\n\nwritten to bench-results/${stamp}.json and .md\n`);
