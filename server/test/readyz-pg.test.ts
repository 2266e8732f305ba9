import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTestDatabase, startPrivatePostgres } from './helpers/pg.js';
import { spawnServer } from './helpers/process.js';
import { waitFor } from './helpers/server.js';

async function readyz(url: string): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
}

it('/readyz answers 503 while PostgreSQL is down and 200 again once it is back; /healthz stays 200', async () => {
  const pg = await startPrivatePostgres();
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-readyz-'));
  try {
    const database = await createTestDatabase(pg.url);
    const server = await spawnServer(dataDir, { DATABASE_URL: database.url });
    try {
      expect(await readyz(server.url)).toEqual({ status: 200, body: { status: 'ready' } });
      await pg.stop('fast');
      await waitFor(async () => (await readyz(server.url)).status === 503, 10_000);
      const down = await readyz(server.url);
      expect(down.body.status).toBe('unavailable');
      expect(down.body.reason).toMatch(/^the database cannot be reached: /);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      await pg.start();
      await waitFor(async () => (await readyz(server.url)).status === 200, 15_000);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    await pg.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
