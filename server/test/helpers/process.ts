import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** hookscope running as its own process (by default `server/src/main.ts` through tsx), as in production. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** The log lines (stdout) so far. */
  logs(): string[];
}

/**
 * Spawns the real server on a free port with `DATA_DIR`, and resolves once it listens. `nodeArgs` are
 * node's arguments from the package root: the sources by default, `['dist/server/main.js']` for the build.
 * `wrapper` runs node under another program (`['strace', '-f', …]`): `child` is then that program.
 */
export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = ['--import', 'tsx', 'server/src/main.ts'],
  wrapper: string[] = [],
): Promise<ServerProcess> {
  const [command, ...args] = [...wrapper, process.execPath, ...nodeArgs] as [string, ...string[]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MOCK_EVENTS_PER_MINUTE: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => logs.push(line));
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s: ${stderr}`)), 30_000);
    lines.on('line', (line) => {
      // The start line carries the dashboard URL; the port comes from it (PORT=0 picks a free one).
      const match = /"webhook":"(http:\/\/[^"]+)\/webhooks\/event"/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
  return { url, child, exited, stderr: () => stderr, logs: () => logs };
}

/**
 * Spawns the real server as one replica (`env`: its DATABASE_URL and the rest) in a data folder of its
 * own, and pushes onto `cleanup` its end: SIGTERM, then a clean drain asserted (exit 0: the tailer, the
 * channel connections and the pool closed), then the folder removed.
 */
export async function spawnReplica(
  env: Record<string, string>,
  cleanup: (() => Promise<void>)[],
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-replica-'));
  const server = await spawnServer(dataDir, env);
  cleanup.push(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  return server;
}
