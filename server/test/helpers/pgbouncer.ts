import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, TEST_SERVER_URL } from './pg.js';

const run = promisify(execFile);
const PGBOUNCER = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';

/** A PgBouncer of the test's own in front of the test server, in transaction pooling mode. */
export interface PrivatePgBouncer {
  /** `databaseUrl` with its host and port replaced by the bouncer's. */
  via(databaseUrl: string): string;
  /** The admin console's `SHOW <what>` (psql), as its rows of `|`-separated columns, header first. */
  show(what: string): Promise<string[][]>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's pgbouncer on a free loopback port, `pool_mode = transaction`, at most `poolSize` server
 * connections per database and user (fewer than the clients ask for, so that transactions of different
 * clients share server connections). It refuses to run as root: as root it runs as `postgres`.
 */
export async function startPgBouncer(poolSize = 3): Promise<PrivatePgBouncer> {
  const folder = mkdtempSync(join(tmpdir(), 'hookscope-pgbouncer-'));
  const upstream = new URL(TEST_SERVER_URL);
  const port = await freePort();
  const user = decodeURIComponent(upstream.username) || 'postgres';
  writeFileSync(join(folder, 'users.txt'), `"${user}" ""\n`);
  writeFileSync(
    join(folder, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || '5432'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(folder, 'users.txt')}`,
      `admin_users = ${user}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      `logfile = ${join(folder, 'pgbouncer.log')}`,
      `pidfile = ${join(folder, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const file of ['', 'users.txt', 'pgbouncer.ini']) chownSync(join(folder, file), uid, gid);
  }
  const child = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), join(folder, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopAtExit = () => child.kill('SIGKILL');
  process.once('exit', stopAtExit);
  const show = async (what: string): Promise<string[][]> => {
    const { stdout } = await run(
      'psql',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        user,
        '-d',
        'pgbouncer',
        '-AX',
        '-P',
        'footer=off',
        '-c',
        `SHOW ${what}`,
      ],
      { timeout: 10_000 },
    );
    return stdout
      .trim()
      .split('\n')
      .map((line) => line.split('|'));
  };
  // Listening once its admin console answers (bounded: 100 tries, 50 ms apart).
  for (let attempt = 0; ; attempt++) {
    try {
      await show('VERSION');
      break;
    } catch (error) {
      if (attempt >= 100 || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`pgbouncer did not start: ${stderr}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    via(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    show,
    async stop() {
      process.removeListener('exit', stopAtExit);
      child.kill('SIGTERM');
      await exited;
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
