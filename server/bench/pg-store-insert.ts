import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPgStore } from '../src/store/pg/index.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import type { EventStore, NewEvent } from '../src/store/types.js';
import postgres from 'postgres';

// Store-only insert rate: `npx tsx server/bench/pg-store-insert.ts [events] [concurrency]`. Many
// concurrent insertEvent calls (each caller awaits its commit, then sends the next), against the
// PostgreSQL store on the local server (a fresh database, dropped after) and, as the baseline of the
// same run, the SQLite store in a temporary folder. No HTTP: what the store's group commit sustains.

/** The server to create the bench's database on (trust auth, as on this project's machines). */
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates a database with a random name (pg_trgm installed); answers its URL and how to drop it. */
async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hookscope_bench_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
  };
}

const total = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 200);
const body = Buffer.from(
  JSON.stringify({
    action: 'update',
    entity_type: 'task',
    time: '2026-12-01T10:00:00Z',
    payload: { id: 'task-1', name: 'a task name', assignee_id: '5428abf6-0f4c-4448-b619-fc9f4327619b' },
  }),
);

let serial = 0;
function newEvent(): NewEvent {
  const n = ++serial;
  return {
    id: `bench-${String(n).padStart(10, '0')}`,
    receivedAtMs: Date.now(),
    timeMs: Date.now(),
    action: 'update',
    entityType: n % 3 === 0 ? 'component' : 'task',
    entityId: `task-${n % 500}`,
    modifiedFields: ['name'],
    deliveryId: `msg_${n}`,
    headers: { 'content-type': 'application/json' },
    raw: body,
  };
}

/** Runs `count` inserts with `concurrency` callers; answers events/s and ack latency percentiles. */
async function measure(store: EventStore, count: number) {
  const latencies: number[] = [];
  let left = count;
  const started = performance.now();
  const caller = async () => {
    while (left > 0) {
      left -= 1;
      const t0 = performance.now();
      await store.insertEvent(newEvent());
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const seconds = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1);
  return { eventsPerSecond: Math.round(count / seconds), p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function run(name: string, open: () => Promise<{ store: EventStore; done: () => Promise<void> }>) {
  const { store, done } = await open();
  try {
    await measure(store, Math.min(2_000, total)); // warm-up: prepared statements, partitions, caches
    const result = await measure(store, total);
    process.stdout.write(
      `${name.padEnd(10)} ${String(result.eventsPerSecond).padStart(7)} events/s   ack p50 ${result.p50Ms} ms   p99 ${result.p99Ms} ms\n`,
    );
  } finally {
    await done();
  }
}

process.stdout.write(`${total} inserts, ${concurrency} concurrent callers\n`);
await run('postgres', async () => {
  const database = await createDatabase();
  const store = await createPgStore({ databaseUrl: database.url, maxRejections: 1_000 });
  return {
    store,
    done: async () => {
      await store.close();
      await database.drop();
    },
  };
});
await run('sqlite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-bench-insert-'));
  const store = createSqliteStore({ dataDir, maxRejections: 1_000 });
  return {
    store,
    done: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
