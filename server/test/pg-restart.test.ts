import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { startPrivatePostgres } from './helpers/pg.js';
import { spawnServer } from './helpers/process.js';
import { EXAMPLE_CREATE } from './helpers/server.js';

// A PostgreSQL restart under load, against the real server process on a private PostgreSQL (the shared
// one is never restarted): postgres.js 3.4.9 can end the process when a connection dies under a query
// (porsager/postgres #1154, #1208), and a webhook must then answer 503 with Retry-After within seconds,
// never hang or answer 500, and 201 again once the database is back.

interface Outcome {
  status: number;
  retryAfter: string | null;
  ms: number;
  id: string | null;
  atMs: number;
}

/** Posts events with unique webhook-ids, `concurrency` at a time, until `running()` turns false. */
async function generate(url: string, running: () => boolean, outcomes: Outcome[], concurrency = 4) {
  let n = 0;
  const worker = async () => {
    while (running()) {
      const started = Date.now();
      const response = await fetch(`${url}/webhooks/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': `restart-${++n}` },
        body: JSON.stringify(EXAMPLE_CREATE),
        signal: AbortSignal.timeout(20_000),
      }).catch(() => null);
      const body = response ? ((await response.json().catch(() => ({}))) as { id?: string }) : {};
      outcomes.push({
        status: response?.status ?? 0,
        retryAfter: response?.headers.get('retry-after') ?? null,
        ms: Date.now() - started,
        id: body.id ?? null,
        atMs: Date.now(),
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Resolves once `check` holds, polling every 50 ms, or rejects after `timeoutMs` with `detail()` (what
 * was seen meanwhile) in the message.
 */
async function waitFor(
  check: () => boolean,
  timeoutMs: number,
  what: string,
  detail: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a PostgreSQL restart', () => {
  it('keeps the server up: 503 with Retry-After within seconds while down, 201 again after, every 201 stored', async () => {
    const pg = await startPrivatePostgres();
    const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-pg-restart-'));
    const server = await spawnServer(dataDir, { DATABASE_URL: pg.url });
    let exited = false;
    void server.exited.then(() => (exited = true));
    const outcomes: Outcome[] = [];
    let running = true;
    const load = generate(server.url, () => running, outcomes);
    try {
      const stored = () => outcomes.filter((o) => o.status === 201).length;
      let phaseAt = Date.now();
      const detail = () => {
        const since = outcomes.filter((o) => o.atMs > phaseAt);
        const answers = since.map((o) => `${o.atMs - phaseAt}ms:${o.status}(${o.ms}ms)`).slice(-40);
        const logs = server.logs().slice(-15).join('\n');
        return `answers since then: ${answers.join(' ')}\nserver log:\n${logs}\nstderr:\n${server.stderr().slice(-3000)}`;
      };
      for (const mode of ['fast', 'immediate'] as const) {
        const before = stored();
        phaseAt = Date.now();
        await waitFor(() => stored() >= before + 20, 20_000, 'webhooks stored before the stop', detail);
        await pg.stop(mode);
        const stoppedAt = (phaseAt = Date.now());
        await waitFor(
          () => outcomes.some((o) => o.atMs > stoppedAt && o.status === 503),
          10_000,
          `a 503 after the ${mode} stop`,
          detail,
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // down for a while, webhooks keep coming
        await pg.start();
        const startedAt = (phaseAt = Date.now());
        await waitFor(
          () => outcomes.some((o) => o.atMs > startedAt && o.status === 201),
          15_000,
          `a 201 after the restart from the ${mode} stop`,
          detail,
        );
      }
    } finally {
      running = false;
      await load;
    }
    try {
      expect(exited, server.stderr()).toBe(false);
      const statuses = new Set(outcomes.map((o) => o.status));
      expect([...statuses].sort()).toEqual([201, 503]);
      for (const o of outcomes.filter((x) => x.status === 503)) expect(o.retryAfter).not.toBeNull();
      // "Within seconds": connect_timeout and statement_timeout bound every answer while it is down.
      expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(5_000);
      const acknowledged = outcomes.flatMap((o) => (o.status === 201 && o.id ? [o.id] : []));
      const sql = postgres(pg.url, { max: 1 });
      try {
        const rows = await sql<{ id: string }[]>`select id from events`;
        const ids = new Set(rows.map((row) => row.id));
        expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
        const [dupes] = await sql<{ n: number }[]>`
          select count(*)::int as n from (select delivery_id from events group by 1 having count(*) > 1) d`;
        expect(dupes?.n).toBe(0);
      } finally {
        await sql.end();
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await pg.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
