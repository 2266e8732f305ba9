import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, Eviction, PurgeReport } from '../../src/store/types.js';
import { advisoryKey } from '../../src/store/pg/context.js';
import { createPgStore, type PgStoreOptions } from '../../src/store/pg/index.js';
import { createMaintenance, type MaintenanceTuning } from '../../src/store/pg/maintenance.js';
import { openPgContext } from '../../src/store/pg/open.js';
import { createPartitions, DAY_MS, dayStartMs, partitionName } from '../../src/store/pg/partitions.js';
import { createTestDatabase, randomName, type TestDatabase } from '../helpers/pg.js';

// Retiring day partitions on a real PostgreSQL (a fresh database per run, one schema per test, dropped
// after): a day retired while webhooks keep being committed (with the longest insert measured during the
// retirement against the same load without one), a retirement interrupted after its DETACH … CONCURRENTLY
// began and finished by the next run, and two replicas' maintenances that never retire at the same time.
// The "replicas" here are the store (which takes the inserts) and maintenances opened on their own pools
// over the same tables, as a second process would.

type NewEvent = Parameters<EventStore['insertEvent']>[0];

let database: TestDatabase | null = null;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TODAY_MS = dayStartMs(Date.now());
/** The day retired by every test: wholly before the cut-off below. */
const OLD_DAY_MS = TODAY_MS - 3 * DAY_MS;
/** Yesterday's start: days before it are retired, and nothing is stored in the day it straddles. */
const CUTOFF_MS = TODAY_MS - DAY_MS;
const PURGE_INTERVAL_MS = 24 * 3_600_000;

let serial = 0;
/** An event at `atMs` whose id sorts in arrival order (as the intake's ULIDs do). */
function makeEvent(atMs: number, entityPrefix: string, entityType = 'task'): NewEvent {
  const n = ++serial;
  const id = `E${String(atMs).padStart(15, '0')}${String(n).padStart(9, '0')}`;
  return {
    id,
    receivedAtMs: atMs,
    timeMs: atMs,
    action: 'update',
    entityType,
    entityId: `${entityPrefix}-${n % 40}`,
    modifiedFields: ['name'],
    deliveryId: `msg_${id}`,
    headers: { 'content-type': 'application/json' },
    raw: Buffer.from(
      JSON.stringify({
        payload: { id: `${entityPrefix}-${n % 40}`, name: `name ${n}`, note: 'x'.repeat(200) },
      }),
    ),
  } as NewEvent;
}

/** Opens the store (the replica taking webhooks) on a schema of its own, and a driver for checks there. */
async function openStore(maxStoredEvents = 0) {
  if (!database) throw new Error('the test database was not created');
  const options: PgStoreOptions = {
    databaseUrl: database.url,
    maxRejections: 10,
    maxStoredEvents,
    schema: randomName('retire'),
    receivedAtStamp: 'caller',
    maxConnections: 6,
  };
  const store = await createPgStore(options);
  const admin = postgres(database.url, {
    max: 4,
    onnotice: () => {},
    connection: { search_path: `${options.schema},public` },
  });
  cleanups.push(async () => {
    await store.close();
    await admin.end({ timeout: 5 });
  });
  return { store, options, admin };
}

/** A second replica's maintenance over the same tables, with its own pool and tuning. */
async function openReplicaMaintenance(options: PgStoreOptions, tuning: MaintenanceTuning) {
  const ctx = await openPgContext(options);
  const parts = createMaintenance(ctx, createPartitions(ctx), tuning);
  let cutoffMs = 0;
  const errors: unknown[] = [];
  const maintenance = parts.startMaintenance({
    cutoffMs: () => cutoffMs,
    purgeIntervalMs: PURGE_INTERVAL_MS,
    onError: (error) => errors.push(error),
  });
  cleanups.push(async () => {
    await maintenance.stop();
    await ctx.sql.end({ timeout: 5 });
  });
  // The run at start (cut-off 0: nothing to remove) is over before a test moves the cut-off.
  await maintenance.runNow();
  return {
    errors,
    runNow: (atMs: number): Promise<PurgeReport> => {
      cutoffMs = atMs;
      return maintenance.runNow();
    },
  };
}

/** Stores `count` events in the day starting at `dayMs` (the old day by default), in commits of 500. */
async function storeOldDay(
  store: EventStore,
  count: number,
  entityType = 'archive',
  dayMs = OLD_DAY_MS,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 500) {
    const batch = Array.from({ length: Math.min(500, count - i) }, (_, j) =>
      makeEvent(dayMs + (i + j) * 3, 'old', entityType),
    );
    const results = await Promise.all(batch.map((event) => store.insertEvent(event)));
    ids.push(...results.map((result) => result.event.id));
  }
  return ids;
}

/** The attached partitions of `events` by name, with their detach state. */
async function partitionsOf(admin: postgres.Sql): Promise<Map<string, boolean>> {
  const rows = await admin<{ name: string; pending: boolean }[]>`
    SELECT c.relname AS name, i.inhdetachpending AS pending
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass`;
  return new Map(rows.map((row) => [row.name, row.pending]));
}

/** What the old day left in the store's other tables: must be nothing once it is retired. */
async function leftovers(admin: postgres.Sql) {
  const end = OLD_DAY_MS + DAY_MS;
  const [row] = await admin<
    { tables: number; counts: number; splits: number; dedupe: number; attempts: number }[]
  >`
    SELECT
      (SELECT count(*)::int FROM pg_class WHERE relname = ${partitionName(OLD_DAY_MS)}
         AND relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'events'::regclass)) AS tables,
      (SELECT count(*)::int FROM event_counts WHERE start_ms >= ${OLD_DAY_MS} AND start_ms < ${end}) AS counts,
      (SELECT count(*)::int FROM traffic_splits WHERE start_ms >= ${OLD_DAY_MS} AND start_ms < ${end}) AS splits,
      (SELECT count(*)::int FROM event_delivery_ids WHERE received_at >= ${OLD_DAY_MS} AND received_at < ${end}) AS dedupe,
      (SELECT count(*)::int FROM deliveries WHERE event_received_at >= ${OLD_DAY_MS} AND event_received_at < ${end}) AS attempts`;
  return row;
}

/** Waits (bounded) until `check` holds, polling the database. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A transaction that has read `events` and stays open until released: what DETACH … CONCURRENTLY waits for. */
async function holdReader(admin: postgres.Sql) {
  let release = (): void => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let reading = (): void => {};
  const read = new Promise<void>((resolve) => (reading = resolve));
  const done = admin.begin(async (tx) => {
    await tx`SELECT count(*) FROM events`;
    reading();
    await released;
  });
  await read;
  return {
    release: async () => {
      release();
      await done;
    },
  };
}

/** The latencies of a steady insert load: `workers` callers each inserting one event after another. */
function startLoad(store: EventStore, workers: number) {
  const inserts: { startMs: number; endMs: number }[] = [];
  const failures: unknown[] = [];
  let stopped = false;
  let lastAtMs = TODAY_MS;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      // Never earlier than a stored event (the contract asks callers for a clock that never goes back).
      lastAtMs = Math.max(lastAtMs, Date.now());
      const event = makeEvent(lastAtMs, 'live', 'task');
      const startMs = performance.now();
      try {
        await store.insertEvent(event);
        inserts.push({ startMs, endMs: performance.now() });
      } catch (error) {
        failures.push(error);
      }
    }
  };
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    inserts,
    failures,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/** The longest, p95 and median insert (ms) among those that overlap [fromMs, toMs] of performance.now(). */
function latencyIn(inserts: { startMs: number; endMs: number }[], fromMs: number, toMs: number) {
  const ms = inserts
    .filter((i) => i.endMs >= fromMs && i.startMs <= toMs)
    .map((i) => i.endMs - i.startMs)
    .sort((a, b) => a - b);
  return {
    count: ms.length,
    maxMs: ms.at(-1) ?? 0,
    medianMs: ms[Math.floor(ms.length / 2)] ?? 0,
    p95Ms: ms[Math.floor(ms.length * 0.95)] ?? 0,
  };
}

describe('retiring day partitions (PostgreSQL)', () => {
  it('retires days under a steady insert load, also while a long read holds them: no insert fails or waits on it, nothing expired is readable, counts exact', async () => {
    const { store, options, admin } = await openStore();
    // Two old days: the first retired with nothing in the way, the second while a reader has it open
    // (the case where a plain DROP or DETACH would queue every insert behind the reader).
    const EARLIER_DAY_MS = OLD_DAY_MS - DAY_MS;
    const EARLIER = 20_000;
    const OLD = 5_000;
    await storeOldDay(store, EARLIER, 'archive', EARLIER_DAY_MS);
    const oldIds = await storeOldDay(store, OLD);
    // And rows early today: the day that will straddle the last cut-off, purged row by row in steps.
    const EARLY = 10_000;
    await storeOldDay(store, EARLY, 'early', TODAY_MS);
    const earlyCutoffMs = TODAY_MS + EARLY * 3;
    const attempt = {
      id: 'D-old',
      eventId: oldIds[7] as string,
      source: 'cli' as const,
      target: 'http://127.0.0.1:9/hook',
      attemptedAtMs: TODAY_MS,
      status: 200,
      durationMs: 3,
      responseBody: 'ok',
      responseTruncated: false,
      error: null,
    };
    expect(await store.insertDelivery(attempt, 0)).toBe(true);
    expect((await store.getSchema('archive', 0))?.actions[0]?.fields[0]?.example).toBeDefined();
    const maintenance = await openReplicaMaintenance(options, {});

    const WORKERS = 8;
    const LOAD_MS = 2_000;
    const READER_MS = 1_000;
    // The same load three times: with no retirement (the baseline), then with a retirement in the
    // middle, then with one that has to wait for a reader holding the day open.
    const baseline = startLoad(store, WORKERS);
    const baselineFrom = performance.now();
    await sleep(LOAD_MS);
    const baselineTo = performance.now();
    await baseline.stop();

    const load = startLoad(store, WORKERS);
    await sleep(LOAD_MS / 4);
    const retireFrom = performance.now();
    // The cut-off at the old day's start: only the earlier day is wholly before it.
    const report = await maintenance.runNow(OLD_DAY_MS);
    const retireTo = performance.now();
    await sleep(LOAD_MS / 4);
    await load.stop();

    const blocked = startLoad(store, WORKERS);
    await sleep(LOAD_MS / 4);
    const reader = await holdReader(admin);
    const waitFrom = performance.now();
    const waiting = maintenance.runNow(CUTOFF_MS);
    // Meanwhile, nobody may queue for a lock on `events` itself: a plain DETACH or DROP would, and
    // every insert after it.
    let queuedOnEvents = 0;
    let samples = 0;
    while (performance.now() < waitFrom + READER_MS) {
      const [row] = await admin<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'events'::regclass AND NOT granted`;
      queuedOnEvents = Math.max(queuedOnEvents, row?.n ?? 0);
      samples += 1;
      await sleep(5);
    }
    await reader.release();
    const waitedReport = await waiting;
    const waitTo = performance.now();
    await sleep(LOAD_MS / 4);
    await blocked.stop();

    const purging = startLoad(store, WORKERS);
    await sleep(LOAD_MS / 4);
    const purgeFrom = performance.now();
    const purgeReport = await maintenance.runNow(earlyCutoffMs);
    const purgeTo = performance.now();
    await sleep(LOAD_MS / 4);
    await purging.stop();

    const quiet = latencyIn(baseline.inserts, baselineFrom, baselineTo);
    const during = latencyIn(load.inserts, retireFrom, retireTo);
    const behind = latencyIn(blocked.inserts, waitFrom, waitTo);
    const rowPurge = latencyIn(purging.inserts, purgeFrom, purgeTo);
    const figure = (l: typeof quiet) =>
      `longest ${l.maxMs.toFixed(1)} ms, p95 ${l.p95Ms.toFixed(1)} ms, median ${l.medianMs.toFixed(1)} ms (${l.count} inserts)`;
    console.log(
      [
        `insert latency, ${WORKERS} concurrent inserters, each one insert after another:`,
        `  no retirement (${LOAD_MS} ms): ${figure(quiet)}`,
        `  retiring a day of ${EARLIER} events (${(retireTo - retireFrom).toFixed(0)} ms): ${figure(during)}`,
        `  retiring a day of ${OLD} events while a read holds it ${READER_MS} ms (${(waitTo - waitFrom).toFixed(0)} ms): ${figure(behind)}`,
        `  purging ${EARLY} expired rows of the day straddling the cut-off (${(purgeTo - purgeFrom).toFixed(0)} ms): ${figure(rowPurge)}`,
      ].join('\n'),
    );

    for (const run of [baseline, load, blocked, purging]) expect(run.failures).toEqual([]);
    expect(during.count).toBeGreaterThan(0);
    // Inserts kept committing while the retirement waited for the reader (behind a plain DETACH or DROP,
    // queued for its ACCESS EXCLUSIVE lock on `events`, none would until the reader ends).
    const committedMeanwhile = blocked.inserts.filter(
      (i) => i.endMs > waitFrom + 100 && i.endMs < waitFrom + READER_MS,
    ).length;
    expect(committedMeanwhile).toBeGreaterThan(WORKERS);
    expect({ samples: samples > 20, queuedOnEvents }).toEqual({ samples: true, queuedOnEvents: 0 });
    expect(maintenance.errors).toEqual([]);
    expect(report).toEqual({ eventCount: EARLIER, rejectionCount: 0, beforeMs: OLD_DAY_MS });
    expect(waitedReport).toEqual({ eventCount: OLD, rejectionCount: 0, beforeMs: CUTOFF_MS });
    expect(purgeReport).toEqual({ eventCount: EARLY, rejectionCount: 0, beforeMs: earlyCutoffMs });
    expect(purging.failures).toEqual([]);
    const live = [baseline, load, blocked, purging].reduce((sum, run) => sum + run.inserts.length, 0);
    // Gone, not hidden: even a read with no cut-off finds none of the day, and every count is exact.
    expect(await store.countEvents({}, 0)).toBe(live);
    expect(await store.countEvents({}, CUTOFF_MS)).toBe(live);
    expect(await store.countEvents({ entityType: 'archive' }, 0)).toBe(0);
    expect(await store.countEvents({ entityType: 'early' }, 0)).toBe(0);
    expect((await store.listEvents({ entityType: 'archive' }, 10, null, 0)).rows).toEqual([]);
    expect(await store.getEvent(oldIds[0] as string, 0)).toBeNull();
    const stats = await store.stats(0);
    expect(stats.totalEvents).toBe(live);
    expect(stats.byEntityType).toEqual([{ entityType: 'task', count: live }]);
    expect(stats.oldestReceivedAtMs).toBeGreaterThanOrEqual(TODAY_MS);
    expect(await store.countEntities(null, 0)).toBe(40);
    expect(await store.getEntity('old-1', 0)).toBeNull();
    expect(await store.listDeliveries(attempt.eventId, 0)).toEqual([]);
    const traffic = await store.traffic(
      { sinceMs: OLD_DAY_MS, untilMs: OLD_DAY_MS + DAY_MS, bucketMs: 3_600_000, splitBy: 'action' },
      0,
    );
    expect(traffic.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(0);
    // The learned shape stays; its examples came from the retired events and are gone with them.
    const archive = await store.getSchema('archive', 0);
    expect(archive?.actions[0]?.eventCount).toBe(EARLIER + OLD);
    expect(archive?.actions[0]?.fields.map((field) => field.example)).toEqual(
      archive?.actions[0]?.fields.map(() => undefined),
    );
    expect(await leftovers(admin)).toEqual({ tables: 0, counts: 0, splits: 0, dedupe: 0, attempts: 0 });
    const attached = await partitionsOf(admin);
    expect(attached.has(partitionName(OLD_DAY_MS)) || attached.has(partitionName(EARLIER_DAY_MS))).toBe(
      false,
    );
    // A retried delivery of a retired event is stored again, as new.
    const again = { ...makeEvent(Date.now() + 1_000, 'live'), deliveryId: `msg_${oldIds[3] as string}` };
    expect((await store.insertEvent(again)).duplicate).toBe(false);
  }, 120_000);

  it('finishes next run a retirement interrupted after its DETACH … CONCURRENTLY began, and reads stay exact meanwhile', async () => {
    const { store, options, admin } = await openStore();
    await storeOldDay(store, 600);
    const today = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.insertEvent(makeEvent(Date.now() + i, 'live'))),
    );
    // One attempt, timed out at once: the first run's DETACH is interrupted while it waits for the reader.
    const maintenance = await openReplicaMaintenance(options, {
      lockTimeoutMs: 100,
      ddlAttempts: 1,
      ddlRetryPauseMs: 10,
    });
    const reader = await holdReader(admin);
    let first: PurgeReport;
    try {
      first = await maintenance.runNow(CUTOFF_MS);
    } finally {
      await reader.release();
    }
    expect(first).toEqual({ eventCount: 0, rejectionCount: 0, beforeMs: CUTOFF_MS });
    expect(maintenance.errors.map((error) => (error as { code?: string }).code)).toEqual(['55P03']);
    expect((await partitionsOf(admin)).get(partitionName(OLD_DAY_MS))).toBe(true);
    // Pending detach: the day is invisible to every new read, with or without a cut-off.
    const rows = await store.listEvents({}, 100, null, 0);
    expect(rows.rows.map((event) => event.id).sort()).toEqual(today.map((r) => r.event.id).sort());
    expect(await store.countEvents({}, CUTOFF_MS)).toBe(10);
    expect((await store.stats(CUTOFF_MS)).totalEvents).toBe(10);

    const second = await maintenance.runNow(CUTOFF_MS);
    expect(second).toEqual({ eventCount: 600, rejectionCount: 0, beforeMs: CUTOFF_MS });
    expect(maintenance.errors).toHaveLength(1);
    expect((await partitionsOf(admin)).has(partitionName(OLD_DAY_MS))).toBe(false);
    expect(await leftovers(admin)).toEqual({ tables: 0, counts: 0, splits: 0, dedupe: 0, attempts: 0 });
    expect(await store.countEvents({}, 0)).toBe(10);
    expect((await store.stats(0)).totalEvents).toBe(10);
    expect(await store.countEntities(null, 0)).toBe(new Set(today.map((r) => r.event.entityId)).size);
    // Nothing is left to do: a third run removes nothing.
    expect(await maintenance.runNow(CUTOFF_MS)).toEqual({
      eventCount: 0,
      rejectionCount: 0,
      beforeMs: CUTOFF_MS,
    });
  }, 60_000);

  it('never lets two replicas retire at the same time: the second does nothing while the first holds the lock', async () => {
    const { store, options, admin } = await openStore();
    await storeOldDay(store, 700);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.insertEvent(makeEvent(Date.now() + i, 'live'))),
    );
    // Both retry their DDL for long: only the maintenance lock keeps the second one out.
    const tuning = { lockTimeoutMs: 50, ddlAttempts: 10_000, ddlRetryPauseMs: 10 };
    const first = await openReplicaMaintenance(options, tuning);
    const second = await openReplicaMaintenance(options, tuning);
    const reader = await holdReader(admin);
    let firstDone = false;
    const firstRun = first.runNow(CUTOFF_MS).finally(() => (firstDone = true));
    try {
      // The first is inside its retirement: its DETACH has begun and waits for the reader.
      await until(
        async () => (await partitionsOf(admin)).get(partitionName(OLD_DAY_MS)) === true,
        'the first DETACH to begin',
      );
      const [k0, k1] = advisoryKey(options.schema as string, 'maintenance');
      const holders = await admin<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid = ${k0} AND objid = ${k1 >>> 0} AND objsubid = 2`;
      expect(holders[0]?.n).toBe(1);
      // The second tries the lock, does not wait for it, and removes nothing.
      expect(await second.runNow(CUTOFF_MS)).toEqual({
        eventCount: 0,
        rejectionCount: 0,
        beforeMs: CUTOFF_MS,
      });
      expect(firstDone).toBe(false);
    } finally {
      await reader.release();
    }
    expect(await firstRun).toEqual({ eventCount: 700, rejectionCount: 0, beforeMs: CUTOFF_MS });
    // Afterwards the second gets the lock and finds nothing left: the day was removed exactly once.
    expect(await second.runNow(CUTOFF_MS)).toEqual({ eventCount: 0, rejectionCount: 0, beforeMs: CUTOFF_MS });
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    expect(await leftovers(admin)).toEqual({ tables: 0, counts: 0, splits: 0, dedupe: 0, attempts: 0 });
    expect(await store.countEvents({}, 0)).toBe(5);
  }, 60_000);
});

describe('the cap on stored events across replicas (PostgreSQL)', () => {
  it('keeps the newest events by (receivedAtMs, id) whichever replica commits, and reports every eviction once', async () => {
    const CAP = 10;
    const { store: a, options } = await openStore(CAP);
    const b = await createPgStore(options);
    cleanups.push(() => b.close());
    const evicted: Eviction[] = [];
    for (const store of [a, b]) {
      const maintenance = store.startMaintenance({
        cutoffMs: () => 0,
        purgeIntervalMs: PURGE_INTERVAL_MS,
        onEvicted: (eviction) => evicted.push(eviction),
      });
      cleanups.push(() => maintenance.stop());
    }
    const events: NewEvent[] = [];
    for (let round = 0; round < 6; round++) {
      const batch = Array.from({ length: 10 }, (_, i) =>
        makeEvent(TODAY_MS + round * 1_000 + (i >> 1), 'cap'),
      );
      events.push(...batch);
      // Half through each replica, at once: their commits interleave under the ingest lock.
      await Promise.all(batch.map((event, i) => (i % 2 === 0 ? a : b).insertEvent(event)));
      expect(await a.countEvents({}, 0)).toBeLessThanOrEqual(CAP);
    }
    const kept = [...events]
      .sort((x, y) => y.receivedAtMs - x.receivedAtMs || (x.id < y.id ? 1 : -1))
      .slice(0, CAP);
    const listed = await b.listEvents({}, 50, null, 0);
    expect(listed.rows.map((event) => event.id)).toEqual(kept.map((event) => event.id));
    expect((await a.stats(0)).totalEvents).toBe(CAP);
    expect(await a.countEntities(null, 0)).toBe(new Set(kept.map((event) => event.entityId)).size);
    // Each commit's eviction is told by the replica that made it, once.
    expect(evicted.reduce((sum, eviction) => sum + eviction.eventCount, 0)).toBe(events.length - CAP);
    const oldestKept = Math.min(...kept.map((event) => event.receivedAtMs));
    for (const eviction of evicted) expect(eviction.beforeMs).toBeLessThanOrEqual(oldestKept);
  }, 60_000);
});
