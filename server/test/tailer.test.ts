import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTailer, type StreamReader, type Tailer } from '../src/live/tailer.js';
import { createSqliteStore, type SqliteStore } from '../src/store/sqlite/index.js';
import type { StoredEvent } from '../src/store/types.js';
import { waitFor } from './helpers/server.js';

// The tailer against a real store: events written straight into it (as another replica's commits would
// be), the tailer woken or not, and what it publishes observed.

let dataDir: string;
let store: SqliteStore;
let tailer: Tailer | null = null;
let serial = 0;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hookscope-tailer-'));
  store = createSqliteStore({ dataDir, maxRejections: 10 });
});
afterEach(async () => {
  await tailer?.close();
  tailer = null;
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Commits `count` events (one commit each, in order) and returns their sequences. */
async function insert(count: number): Promise<string[]> {
  const sequences: string[] = [];
  for (let i = 0; i < count; i++) {
    serial += 1;
    const id = `01TAILER${String(serial).padStart(18, '0')}`;
    const result = await store.insertEvent({
      id,
      receivedAtMs: 1_700_000_000_000 + serial,
      timeMs: 1_700_000_000_000,
      action: 'create',
      entityType: 'task',
      entityId: `task-${serial}`,
      modifiedFields: null,
      deliveryId: null,
      headers: null,
      raw: Buffer.from(`{"action":"create","entity_type":"task","payload":{"id":"task-${serial}"}}`),
    });
    sequences.push(result.event.sequence);
  }
  return sequences;
}

/** A reader over the store that counts its reads and can be told to fail the next one. */
function countingReader(): StreamReader & { reads: number; failNext: boolean } {
  const reader = {
    reads: 0,
    failNext: false,
    sequenceBounds: (cutoffMs: number) => store.sequenceBounds(cutoffMs),
    async eventsAfterSequence(after: string, limit: number, cutoffMs: number) {
      reader.reads += 1;
      if (reader.failNext) {
        reader.failNext = false;
        throw new Error('database went away');
      }
      return store.eventsAfterSequence(after, limit, cutoffMs);
    },
  };
  return reader;
}

async function start(reads: StreamReader, options: { pageSize?: number; safetyIntervalMs?: number } = {}) {
  const published: StoredEvent[] = [];
  const errors: unknown[] = [];
  tailer = await startTailer({
    reads,
    cutoffMs: () => 0,
    publish: (event) => published.push(event),
    onError: (error) => errors.push(error),
    safetyIntervalMs: options.safetyIntervalMs ?? 60_000,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });
  return { tailer, published, errors };
}

it('starts at the head (what came before is for replay) and publishes every later commit once, in order, however the wakes fall', async () => {
  await insert(3);
  const { tailer, published } = await start(countingReader(), { pageSize: 4 });
  expect(tailer.position()).toBe('3');
  const expected: string[] = [];
  for (let round = 0; round < 5; round++) {
    const inserted = insert(7);
    // Wakes in every state: before, during and after the commits, several at once.
    tailer.wake();
    tailer.wake();
    expected.push(...(await inserted));
    tailer.wake();
    tailer.wakeTo(expected.at(-1) as string);
  }
  await tailer.idle();
  tailer.wake();
  await tailer.idle();
  expect(published.map((event) => event.sequence)).toEqual(expected);
  expect(expected).toEqual(Array.from({ length: 35 }, (_, i) => String(i + 4)));
  expect(tailer.position()).toBe('38');
});

it('coalesces wakes into one read at a time, and an echo of its own position costs no read', async () => {
  const reads = countingReader();
  const { tailer, published } = await start(reads);
  await insert(2);
  for (let i = 0; i < 10; i++) tailer.wake();
  await tailer.idle();
  // One read for the first wake, one more for all the wakes that came during it.
  expect(reads.reads).toBe(2);
  expect(published.map((event) => event.sequence)).toEqual(['1', '2']);
  tailer.wakeTo('2');
  tailer.wakeTo('1');
  await tailer.idle();
  expect(reads.reads).toBe(2);
  tailer.wakeTo('10');
  await tailer.idle();
  expect(reads.reads).toBe(3);
});

it('a lost wake-up delays but does not lose: the safety timer (or the next wake) delivers', async () => {
  const { published } = await start(countingReader(), { safetyIntervalMs: 50 });
  const sequences = await insert(3);
  // Nobody wakes the tailer: its timer does.
  await waitFor(() => published.length === 3, 2_000);
  expect(published.map((event) => event.sequence)).toEqual(sequences);
});

it('steps over a hole left by a deleted event instead of waiting on it', async () => {
  const { tailer, published } = await start(countingReader());
  const [first, middle, last] = await insert(3);
  const middleId = (await store.eventsAfterSequence(first as string, 1, 0))[0]?.id as string;
  await store.deleteEvents({ kind: 'one', id: middleId }, 0);
  tailer.wake();
  await tailer.idle();
  expect(published.map((event) => event.sequence)).toEqual([first, last]);
  expect(middle).toBe('2');
  expect(tailer.position()).toBe(last);
  const [next] = await insert(1);
  tailer.wake();
  await tailer.idle();
  expect(published.map((event) => event.sequence)).toEqual([first, last, next]);
});

it('a failed read is reported and retried at the next wake, from the same position', async () => {
  const reads = countingReader();
  const { tailer, published, errors } = await start(reads);
  const sequences = await insert(2);
  reads.failNext = true;
  tailer.wake();
  await tailer.idle();
  expect(errors).toHaveLength(1);
  expect(published).toEqual([]);
  tailer.wake();
  await tailer.idle();
  expect(published.map((event) => event.sequence)).toEqual(sequences);
});

it('reads and publishes nothing after close', async () => {
  const reads = countingReader();
  const { tailer, published } = await start(reads, { safetyIntervalMs: 20 });
  await tailer.close();
  await insert(2);
  tailer.wake();
  tailer.wakeTo('5');
  await tailer.idle();
  expect({ reads: reads.reads, published }).toEqual({ reads: 0, published: [] });
});

it('publishes its own commits from memory when they come next, and reads when they do not (a gap, or a read under way)', async () => {
  const reads = countingReader();
  const { tailer, published } = await start(reads);
  const own = async (count: number): Promise<StoredEvent[]> => {
    const sequences = await insert(count);
    return store.eventsAfterSequence(String(Number(sequences[0]) - 1), count, 0);
  };
  // Next in order: no read at all.
  tailer.offer(await own(3));
  expect({ reads: reads.reads, sequences: published.map((event) => event.sequence) }).toEqual({
    reads: 0,
    sequences: ['1', '2', '3'],
  });
  // Another replica committed 4 before this one's 5: the offer cannot be published as it is.
  await insert(1);
  tailer.offer(await own(1));
  await tailer.idle();
  expect({ reads: reads.reads, sequences: published.map((event) => event.sequence) }).toEqual({
    reads: 1,
    sequences: ['1', '2', '3', '4', '5'],
  });
  // While a read is under way the offer is left to it: nothing twice.
  await insert(1);
  tailer.wake();
  tailer.offer(await own(1));
  await tailer.idle();
  expect(published.map((event) => event.sequence)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
});
