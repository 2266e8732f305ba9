import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { count, eq, lt, sql } from 'drizzle-orm';
import { ormOf } from '../../src/store/sqlite/orm.js';
import { prepareEventInsert, prepareSequenceSave } from '../../src/store/sqlite/rows.js';
import { events } from '../../src/store/sqlite/schema.js';
import { spawnServer, type ServerProcess } from './process.js';

/** What one crash run saw. */
export interface CrashReport {
  rounds: number;
  /** Events answered 2xx, all found again with their exact bytes. */
  acknowledged: number;
  /** Requests that got no answer (killed mid-flight) or a non-2xx: not promised, so not checked. */
  unanswered: number;
}

/** A body unique to this request, with bytes JSON re-serialization would change (spacing, escapes, non-ASCII). */
function uniqueBody(tag: string): Buffer {
  const entityId = `${tag}-${randomBytes(6).toString('hex')}`;
  return Buffer.from(
    `{ "action":"create", "entity_type":"task","time":"2026-01-01T00:00:00Z",` +
      `"payload":{"id":"${entityId}","name":"caf\\u00e9 ☕ ${randomBytes(randomInt(1, 400)).toString('base64')}",` +
      `"n":12345678901234567890 } }`,
    'utf8',
  );
}

/** Posts from `workers` concurrent loops until the server stops answering; records every 2xx. */
export function startLoader(url: string, workers: number, acknowledged: Map<string, Buffer>, tag: string) {
  let unanswered = 0;
  const statuses: number[] = [];
  let stopped = false;
  const loop = async (worker: number): Promise<void> => {
    for (let i = 0; !stopped; i++) {
      const body = uniqueBody(`${tag}-${worker}-${i}`);
      try {
        const response = await fetch(`${url}/webhooks/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: new Uint8Array(body),
        });
        statuses.push(response.status);
        const json = (await response.json()) as { id?: string };
        if (response.status >= 200 && response.status < 300 && json.id) acknowledged.set(json.id, body);
        else unanswered += 1;
      } catch {
        // Connection refused or reset: the process is gone, and this request was never acknowledged.
        unanswered += 1;
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return {
    stop: async () => {
      stopped = true;
      await done;
      return unanswered;
    },
    done,
    statuses,
  };
}

/** Opens the database file the way a restart would (WAL replay), checks integrity and every acknowledged event. */
export function verifyDatabase(dataDir: string, acknowledged: Map<string, Buffer>): void {
  const db = new Database(join(dataDir, 'hookscope.db'));
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`PRAGMA integrity_check: ${String(integrity)}`);
    const select = ormOf(db)
      .select({ raw: events.raw })
      .from(events)
      .where(eq(events.id, sql.placeholder('id')))
      .prepare();
    for (const [id, body] of acknowledged) {
      const row = select.get({ id });
      if (!row) throw new Error(`event ${id} was acknowledged with 2xx but is missing after the crash`);
      if (!Buffer.from(row.raw).equals(body)) throw new Error(`event ${id} is stored with different bytes`);
    }
  } finally {
    db.close();
  }
}

async function kill(server: ServerProcess): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

/**
 * Crash test: each round starts the real server process on the same data folder, loads it with
 * concurrent webhook posts, SIGKILLs it at a random moment, then checks that every event ever answered
 * 2xx is in the file with its exact bytes and that `PRAGMA integrity_check` is ok.
 */
export async function runCrashRounds(options: {
  rounds: number;
  workers?: number;
  log?: (line: string) => void;
}): Promise<CrashReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-crash-'));
  const acknowledged = new Map<string, Buffer>();
  let unanswered = 0;
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const server = await spawnServer(dataDir);
      const loader = startLoader(server.url, options.workers ?? 8, acknowledged, `r${round}`);
      // Random moment: sometimes right at the start of the load, sometimes deep into it.
      await new Promise((resolve) => setTimeout(resolve, randomInt(20, 700)));
      await kill(server);
      unanswered += await loader.stop();
      verifyDatabase(dataDir, acknowledged);
      options.log?.(`round ${round}: ${acknowledged.size} acknowledged events intact, integrity ok`);
    }
    return { rounds: options.rounds, acknowledged: acknowledged.size, unanswered };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Kill during a large purge: `expired` events older than the retention are written into the file, the
 * server starts (its start-up purge deletes them in batches) and is SIGKILLed mid-purge while new events
 * arrive. The file stays intact, acknowledged events stay, expired rows only ever decrease, and a last
 * restart finishes the purge.
 */
export async function runPurgeCrash(options: {
  expired: number;
  kills?: number;
  log?: (line: string) => void;
}): Promise<{ acknowledged: number; expiredLeftAfterKills: number[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-purge-crash-'));
  const acknowledged = new Map<string, Buffer>();
  const left: number[] = [];
  try {
    // A first start creates the schema; then the expired rows are written as an old server would have.
    const first = await spawnServer(dataDir);
    first.child.kill('SIGTERM');
    await first.exited;
    const oldMs = Date.now() - 30 * 86_400_000;
    const db = new Database(join(dataDir, 'hookscope.db'));
    const insert = prepareEventInsert(ormOf(db));
    const saveSequence = prepareSequenceSave(ormOf(db));
    db.transaction(() => {
      for (let i = 0; i < options.expired; i++) {
        insert({
          id: `old${String(i).padStart(8, '0')}`,
          sequence: String(i + 1),
          receivedAtMs: oldMs + i,
          timeMs: oldMs,
          action: 'create',
          entityType: 'task',
          entityId: `old-entity-${i}`,
          modifiedFields: null,
          deliveryId: null,
          headers: null,
          raw: Buffer.from(`{"old":${i}}`),
        });
      }
      saveSequence(options.expired);
    })();
    db.close();
    const countExpired = (): number => {
      const check = new Database(join(dataDir, 'hookscope.db'));
      try {
        const expired = lt(events.receivedAt, Date.now() - 86_400_000);
        return ormOf(check).select({ n: count() }).from(events).where(expired).get()?.n ?? 0;
      } finally {
        check.close();
      }
    };
    let previous = options.expired;
    for (let k = 1; k <= (options.kills ?? 2); k++) {
      const server = await spawnServer(dataDir);
      const before = acknowledged.size;
      const loader = startLoader(server.url, 4, acknowledged, `p${k}`);
      // Kill soon after the first new acknowledgement: the start-up purge is still deleting then.
      while (acknowledged.size === before) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, randomInt(0, 50)));
      await kill(server);
      await loader.stop();
      verifyDatabase(dataDir, acknowledged);
      const now = countExpired();
      if (now > previous) throw new Error(`expired rows grew from ${previous} to ${now} across a crash`);
      previous = now;
      left.push(now);
      options.log?.(`purge kill ${k}: ${now} expired rows left, ${acknowledged.size} acknowledged intact`);
    }
    // A clean run finishes the purge.
    const last = await spawnServer(dataDir);
    const deadline = Date.now() + 30_000;
    while (countExpired() > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    last.child.kill('SIGTERM');
    await last.exited;
    verifyDatabase(dataDir, acknowledged);
    left.push(countExpired());
    return { acknowledged: acknowledged.size, expiredLeftAfterKills: left };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
