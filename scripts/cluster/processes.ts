// The processes the cluster test starts and owns: a private PostgreSQL, an optional private Redis, the
// hookscope replicas. Everything listens on loopback only, on ports picked free, with its files in the run's
// temporary folder; every start registers its own stop, so that a failure or Ctrl-C leaves nothing behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder of package.json). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Stops registered by each start, run newest first by {@link cleanUp}. */
const stops: { name: string; stop: () => Promise<void> }[] = [];

/** Registers how to undo something just started; {@link cleanUp} runs it once. */
export function onCleanUp(name: string, stop: () => Promise<void>): void {
  stops.push({ name, stop });
}

/** Stops everything registered, newest first; a stop that fails is reported and the others still run. */
export async function cleanUp(log: (line: string) => void): Promise<void> {
  while (stops.length > 0) {
    const entry = stops.pop();
    if (!entry) break;
    try {
      await entry.stop();
    } catch (error) {
      log(`clean-up of ${entry.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** A TCP port nobody listens on right now (the kernel's pick for port 0 on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `probe` answers true, polling every `everyMs`; throws after `timeoutMs` naming `what`, or at once when `probe` throws. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<number> {
  const started = Date.now();
  // External processes give no event to await: polling, bounded in time, is the only way to see them ready.
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** Resolves after `ms` (chaos pacing and poll intervals only; nothing awaits an event with it). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A child process's exit, as a promise that resolves once. */
function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Runs a command to its end; throws with its output when it fails. */
function run(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal ?? result.error?.message}):\n` +
        `${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  }
  return result.stdout;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
function pgCommand(tool: string, args: string[]): [string, string[]] {
  const path = join(PG_BIN, tool);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

/** The private PostgreSQL of one run. */
export interface PrivatePostgres {
  /** postgres://… on loopback, database `postgres`. */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: every connection is cut, then it accepts again. */
  restart(): Promise<void>;
  /** Runs one query with psql; answers its unaligned output. */
  psql(query: string): string;
  /** Runs pgbench with `args` against the database; answers its output. */
  pgbench(args: string[]): string;
}

/**
 * initdb into `dir/pgdata` and start on a free loopback port, with the durability settings a production
 * site keeps (fsync and synchronous_commit on): the test must see what a crash would really lose.
 * `trackCommitTimestamps`: `track_commit_timestamp = on`, so that `pg_xact_commit_timestamp(xmin)`
 * tells when each row's transaction committed (the benchmark's commit → delivery measure).
 */
export async function startPostgres(
  dir: string,
  options: { trackCommitTimestamps?: boolean } = {},
): Promise<PrivatePostgres> {
  const data = join(dir, 'pgdata');
  mkdirSync(data, { recursive: true });
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    const uid = Number(ids.stdout.trim());
    const gid = Number(gids.stdout.trim());
    if (!Number.isInteger(uid) || ids.status !== 0)
      throw new Error('no `postgres` user to run PostgreSQL as');
    chownSync(dir, uid, gid);
    chownSync(data, uid, gid);
  }
  const port = await freePort();
  const [initdb, initArgs] = pgCommand('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8']);
  run(initdb, [...initArgs, '--no-instructions']);
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    'max_connections = 200',
    'fsync = on',
    'synchronous_commit = on',
    'shared_buffers = 128MB',
    ...(options.trackCommitTimestamps ? ['track_commit_timestamp = on'] : []),
  ].join('\n');
  appendFileSync(join(data, 'postgresql.conf'), `\n${conf}\n`);
  const log = join(dir, 'postgres.log');
  const [pgCtl, startArgs] = pgCommand('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
  run(pgCtl, startArgs);
  onCleanUp('PostgreSQL', async () => {
    const [cmd, args] = pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    run(cmd, args);
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    restart: async () => {
      const [cmd, args] = pgCommand('pg_ctl', [
        '-D',
        data,
        '-l',
        log,
        '-m',
        'fast',
        '-w',
        '-t',
        '60',
        'restart',
      ]);
      run(cmd, args);
    },
    psql: (query) => {
      const [cmd, args] = pgCommand('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-XAtq',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        query,
      ]);
      return run(cmd, args);
    },
    pgbench: (args) => {
      const [cmd, full] = pgCommand('pgbench', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        ...args,
        'postgres',
      ]);
      return run(cmd, full, { timeoutMs: 600_000 });
    },
  };
}

/** The private Redis of one run. */
export interface PrivateRedis {
  url: string;
  /** Stops it (SIGTERM, no persistence) and starts it again on the same port. */
  restart(): Promise<void>;
}

/** redis-server on a free loopback port, nothing persisted, owned by this process. */
export async function startRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const out = openSync(join(dir, 'redis.log'), 'a');
    child = spawn('redis-server', args, { stdio: ['ignore', out, out] });
    closeSync(out);
    const started = child;
    await waitUntil('redis-server answers PING', () => redisPing(port), 10_000, 50);
    if (started.exitCode !== null) throw new Error(`redis-server exited (${started.exitCode})`);
  };
  const stop = async (): Promise<void> => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = exitOf(current);
    current.kill('SIGTERM');
    await exited;
  };
  await start();
  onCleanUp('Redis', stop);
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await stop();
      await start();
    },
  };
}

function redisPing(port: number): Promise<boolean> {
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
    encoding: 'utf8',
    timeout: 2_000,
  });
  return Promise.resolve(result.stdout.trim() === 'PONG');
}

/** The newest modification time under `dir` (files only), 0 when it does not exist. */
async function newestMtimeMs(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the server once (`npm run build`), unless dist/server/main.js is newer than every source it is
 * built from; the replicas run the build, as in production.
 */
export async function ensureBuild(log: (line: string) => void): Promise<void> {
  const entry = join(ROOT, 'dist', 'server', 'main.js');
  const sources = await Promise.all(
    ['server/src', 'server/drizzle', 'web/src', 'web/index.html', 'package.json', 'schema.graphql'].map(
      (p) =>
        existsSync(join(ROOT, p)) && statSync(join(ROOT, p)).isFile()
          ? Promise.resolve(statSync(join(ROOT, p)).mtimeMs)
          : newestMtimeMs(join(ROOT, p)),
    ),
  );
  if (existsSync(entry) && statSync(entry).mtimeMs > Math.max(...sources)) {
    log('build: dist/ is newer than the sources, reused');
    return;
  }
  log('build: npm run build');
  run('npm', ['run', 'build'], { cwd: ROOT, timeoutMs: 600_000 });
}

/** One hookscope replica: `node dist/server/main.js` on a fixed port, started again on the same port. */
export interface Replica {
  name: string;
  port: number;
  url: string;
  /** Starts the process and resolves once it answers ready. */
  start(): Promise<void>;
  /** `kill -9`: no drain, no goodbye; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the replica drains and exits by itself; resolves with how long that took and its exit code. */
  drain(): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process runs. */
  running(): boolean;
  /** Times the process was started. */
  starts(): number;
  /** The end of its log (stdout and stderr), for a failure message. */
  logTail(lines?: number): string;
}

/** Whether GET `url` answers 200 within 3 s (a replica just restarted under load answers slowly). */
export async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Sets up one replica (not started). `env` is what every replica shares (DATABASE_URL, REDIS_URL); each
 * has its own DATA_DIR and log file under `dir`.
 */
export async function createReplica(
  name: string,
  dir: string,
  env: Record<string, string>,
): Promise<Replica> {
  const port = await freePort();
  const dataDir = join(dir, name);
  mkdirSync(dataDir, { recursive: true });
  const logPath = join(dir, `${name}.log`);
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let startCount = 0;
  const running = (): boolean => child !== null && child.exitCode === null && child.signalCode === null;
  const replica: Replica = {
    name,
    port,
    url,
    running,
    starts: () => startCount,
    start: async () => {
      if (running()) throw new Error(`${name} is already running`);
      const out = openSync(logPath, 'a');
      child = spawn(process.execPath, ['dist/server/main.js'], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATA_DIR: dataDir,
          MOCK_EVENTS_PER_MINUTE: '0',
          // On SIGTERM, stay up (unready) for a second: the balancer's 250 ms checks take it out first.
          DRAIN_DELAY: '1s',
          ...env,
        },
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      startCount += 1;
      const started = child;
      await waitUntil(
        `${name} ready`,
        async () => {
          if (started.exitCode !== null || started.signalCode !== null) {
            throw new Error(`${name} exited while starting:\n${replica.logTail()}`);
          }
          return (await answers200(`${url}/readyz`)) || (await readyzMissing(url));
        },
        60_000,
        50,
      );
    },
    kill: async () => {
      const current = child;
      if (!current || !running()) return;
      const exited = exitOf(current);
      current.kill('SIGKILL');
      await exited;
    },
    drain: async () => {
      const current = child;
      if (!current || !running()) return { ms: 0, code: null, signal: null };
      const started = Date.now();
      const exited = exitOf(current);
      current.kill('SIGTERM');
      const result = await exited;
      return { ms: Date.now() - started, ...result };
    },
    logTail: (lines = 30) => {
      if (!existsSync(logPath)) return '';
      return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
    },
  };
  onCleanUp(name, replica.kill);
  return replica;
}

// Until the replicas' /readyz exists, a replica that answers /healthz but 404 on /readyz counts as ready
// (the SQLite development mode of this harness); once /readyz exists only its 200 counts.
async function readyzMissing(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 404 && (await answers200(`${url}/healthz`));
  } catch {
    return false;
  }
}
