import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The repository root. */
export const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** Where the e2e run writes its screenshots (gitignored; CI prints the paths). */
export const SCREENSHOT_DIR = join(ROOT_DIR, 'test-artifacts', 'screenshots');
/** Committed copies of the screenshots the README shows. */
export const DOCS_SCREENSHOT_DIR = join(ROOT_DIR, 'docs', 'screenshots');

/** Finds a port nobody listens on (the server must keep it across a restart, so port 0 will not do). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A hookscope server in a child process, so the test can kill it like a crash would. */
export interface ServerProcess {
  url: string;
  /** Stops it: SIGKILL simulates a crash, SIGTERM a clean stop. Resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node --import tsx server/src/main.ts` on the given port and data folder (and extra `env`, such as
 * AUTH_TOKEN); resolves once /healthz answers. */
export async function startServerProcess(options: {
  port: number;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      MOCK_EVENTS_PER_MINUTE: '0',
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited)
      throw new Error(`server on port ${options.port} exited during start (code ${child.exitCode})`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server on port ${options.port} did not answer /healthz within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop(signal = 'SIGTERM') {
      if (!hasExited) child.kill(signal);
      await exited;
    },
  };
}

/** A webhook event body. */
export interface WebhookBody {
  action: 'create' | 'update' | 'delete';
  entity_type: string;
  time: string;
  id?: string;
  modified_fields?: string[];
  payload: Record<string, unknown>;
}

/** POSTs an event to the intake and returns the stored event's id. */
export async function postEvent(baseUrl: string, body: WebhookBody | string): Promise<string> {
  const response = await fetch(`${baseUrl}/webhooks/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const answer = (await response.json()) as { id?: string; error?: { message: string } };
  if (!response.ok || answer.id === undefined) {
    throw new Error(`POST /webhooks/event answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer.id;
}

/** Launches Debian's Chromium headless through playwright-core (`extraArgs` for the odd test that needs a flag). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

/** Saves a full-window screenshot under test-artifacts/screenshots (and docs/screenshots when asked), printing the paths. */
export async function screenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  console.log(`screenshot: ${path}`);
  if (options.docs === true) {
    mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
    const docsPath = join(DOCS_SCREENSHOT_DIR, `${name}.png`);
    copyFileSync(path, docsPath);
    console.log(`screenshot: ${docsPath}`);
  }
}
