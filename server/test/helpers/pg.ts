import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * The PostgreSQL server tests create their databases on (trust auth): TEST_DATABASE_URL, or the local
 * service on 127.0.0.1:5432. Its database is only used to CREATE and DROP the tests' own.
 */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database created for one test run, dropped by `drop` (also when the tests failed). */
export interface TestDatabase {
  /** Its postgres:// URL. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** `url` with its database replaced by `name`. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh random name with `prefix`, safe as an unquoted identifier. */
export const randomName = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

/**
 * Creates an empty database with a random name on the test server, with pg_trgm installed in its
 * `public` schema (stores in other schemas of it find the operator class through search_path).
 */
export async function createTestDatabase(serverUrl = TEST_SERVER_URL): Promise<TestDatabase> {
  const name = randomName('hookscope_test');
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`create database ${admin(name)}`;
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const inside = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await inside`create extension if not exists pg_trgm schema public`;
  } finally {
    await inside.end();
  }
  return {
    url,
    name,
    async drop() {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        // WITH (FORCE): a store a failed test left open must not keep the database alive.
        await dropper`drop database if exists ${dropper(name)} with (force)`;
      } finally {
        await dropper.end();
      }
    },
  };
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A PostgreSQL server of the test's own (its own data folder and port), which it may stop and restart. */
export interface PrivatePostgres {
  /** postgres://…/postgres on its port. */
  url: string;
  port: number;
  /** `pg_ctl stop`: `fast` terminates the sessions (a clean shutdown), `immediate` is a crash (recovery at start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops, then deletes the data folder. */
  destroy(): Promise<void>;
}

/** A free TCP port on loopback (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Creates and starts a private PostgreSQL 15 (initdb into a temporary folder, pg_ctl on a free port,
 * trust auth on loopback only). initdb refuses to run as root, so as root it runs as the `postgres`
 * user, which then owns the folder.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { mkdtempSync, chownSync, rmSync } = await import('node:fs');
  const { tmpdir, userInfo } = await import('node:os');
  const { join } = await import('node:path');
  const { execFile, execFileSync } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  const asRoot = userInfo().uid === 0;
  const folder = mkdtempSync(join(tmpdir(), 'hookscope-pg-'));
  const dataDir = join(folder, 'data');
  const socketDir = folder;
  const pgc = async (tool: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(PG_BIN, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, tool), ...args] : args;
    await run(command, argv, { timeout: 60_000 });
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(folder, uid, gid);
  }
  await pgc('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = () =>
    pgc('pg_ctl', ['-D', dataDir, '-o', options, '-w', '-t', '30', '-l', join(folder, 'log'), 'start']);
  const stop = (mode: 'fast' | 'immediate' = 'fast') =>
    pgc('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
  await start();
  let running = true;
  // A test process that ends without destroy() (a failure, a timeout, a kill) must not leave the server
  // running: stopped synchronously at exit (immediate: nothing of it is kept), its folder removed.
  const stopAtExit = () => {
    if (!running) return;
    const argv = [join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', 'stop'];
    try {
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', ...argv], { stdio: 'ignore' });
      else execFileSync(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
    } catch {
      // Already stopped.
    }
    rmSync(folder, { recursive: true, force: true });
  };
  process.once('exit', stopAtExit);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop(mode) {
      await stop(mode);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => {});
      running = false;
      process.removeListener('exit', stopAtExit);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
