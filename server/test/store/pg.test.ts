import { readdirSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgStore, type PgStoreOptions } from '../../src/store/pg/index.js';
import { PG_MIGRATIONS_FOLDER } from '../../src/store/pg/open.js';
import { MAX_ENTITY_ID_CHARS } from '../../src/domain/validate.js';
import { MAX_DELIVERY_ID_CHARS } from '../../src/intake/sender-headers.js';
import {
  StoreUnavailableError,
  type EventStore,
  type InsertResult,
  type NewEvent,
  type StoredEvent,
} from '../../src/store/types.js';
import { createTestDatabase, randomName, type TestDatabase } from '../helpers/pg.js';
import { defineStoreContract } from './contract.js';

// The store contract against the PostgreSQL store on the local server: one fresh database per run
// (dropped afterwards, also when tests fail), one PostgreSQL schema per store inside it. The suite
// stamps receivedAtMs and ids itself, so the stores keep the caller's ('caller' stamp).

let database: TestDatabase | null = null;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

defineStoreContract('postgres', async ({ maxRejections, maxStoredEvents }) => {
  if (!database) throw new Error('the test database was not created');
  const options: PgStoreOptions = {
    databaseUrl: database.url,
    maxRejections,
    maxStoredEvents,
    schema: randomName('store'),
    receivedAtStamp: 'caller',
    maxConnections: 4,
  };
  let store = await createPgStore(options);
  return {
    store,
    async reopen() {
      await store.close();
      store = await createPgStore(options);
      return store;
    },
    // The schema goes with the database at the end of the run.
    dispose: () => store.close(),
  };
});

// Several replicas on one database: what the stream head and the ingest lock promise across processes
// (here two stores in one process, each with its own pool, as two replicas would have).
describe('two replicas on one PostgreSQL database', () => {
  const replicas: EventStore[] = [];
  const schemas = new WeakMap<EventStore, string>();
  const schemaOf = (store: EventStore): string => schemas.get(store) as string;
  afterEach(async () => {
    for (const store of replicas.splice(0)) await store.close();
  });
  /** Two stores on the same tables, stamping received_at (and ids) from the database clock. */
  async function openReplicas(): Promise<[EventStore, EventStore]> {
    if (!database) throw new Error('the test database was not created');
    const options: PgStoreOptions = {
      databaseUrl: database.url,
      maxRejections: 10,
      schema: randomName('replicas'),
      receivedAtStamp: 'database',
      maxConnections: 3,
    };
    const a = await createPgStore(options);
    replicas.push(a);
    const b = await createPgStore(options);
    replicas.push(b);
    schemas.set(a, options.schema as string);
    schemas.set(b, options.schema as string);
    return [a, b];
  }
  let serial = 0;
  /** An event as a replica's intake makes it, stamped by the replica's clock `skewMs` off. */
  const newEvent = (deliveryId: string | null, skewMs = 0): NewEvent => {
    const n = ++serial;
    return {
      id: `local-${n}`,
      receivedAtMs: Date.now() + skewMs,
      timeMs: Date.now(),
      action: 'create',
      entityType: 'task',
      entityId: `t-${n % 5}`,
      modifiedFields: null,
      deliveryId,
      headers: null,
      raw: Buffer.from(JSON.stringify({ payload: { id: `t-${n % 5}`, n } })),
    };
  };

  it('start together on an empty database: the migrations are applied once, under the advisory lock', async () => {
    if (!database) throw new Error('the test database was not created');
    const schema = randomName('together');
    const options: PgStoreOptions = {
      databaseUrl: database.url,
      maxRejections: 10,
      schema,
      maxConnections: 2,
    };
    const stores = await Promise.all([
      createPgStore(options),
      createPgStore(options),
      createPgStore(options),
    ]);
    replicas.push(...stores);
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const applied = await sql<{ n: number }[]>`
        select count(*)::int as n from ${sql(schema)}.__drizzle_migrations`;
      const files = readdirSync(PG_MIGRATIONS_FOLDER).filter((name) => name.endsWith('.sql'));
      expect(applied[0]?.n).toBe(files.length);
    } finally {
      await sql.end();
    }
    const results = await Promise.all(stores.map((store) => store.insertEvent(newEvent(null))));
    expect(results.map((r) => r.event.sequence).sort()).toEqual(['1', '2', '3']);
  });

  it('give consecutive positions with no gap and no duplicate to concurrent inserts, in (receivedAt, id) order', async () => {
    const [a, b] = await openReplicas();
    const results: InsertResult[] = [];
    for (let round = 0; round < 10; round++) {
      const burst = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).insertEvent(newEvent(null)));
      results.push(...(await Promise.all(burst)));
    }
    const positions = results.map((r) => BigInt(r.event.sequence)).sort((x, y) => (x < y ? -1 : 1));
    expect(positions).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
    // The committed stream, read back by sequence, is also the contract's (receivedAt, id) order.
    const stream = await a.eventsAfterSequence('0', 1_000, 0);
    expect(stream.map((e) => e.sequence)).toEqual(positions.map(String));
    const walked = await a.listEventsOldestFirst({}, 1_000, null, 0);
    expect(walked.rows.map((e) => e.sequence)).toEqual(positions.map(String));
    for (let i = 1; i < stream.length; i++) {
      expect((stream[i] as StoredEvent).receivedAtMs).toBeGreaterThanOrEqual(
        (stream[i - 1] as StoredEvent).receivedAtMs,
      );
    }
    expect(await b.sequenceBounds(0)).toEqual({ firstRetained: '1', last: '200' });
  });

  it('store a webhook-id received by both at the same moment once, and answer the other with the original', async () => {
    const [a, b] = await openReplicas();
    for (let k = 0; k < 20; k++) {
      const [first, second] = await Promise.all([
        a.insertEvent(newEvent(`same-${k}`)),
        b.insertEvent(newEvent(`same-${k}`)),
      ]);
      expect([first?.duplicate, second?.duplicate].sort()).toEqual([false, true]);
      expect(first?.event).toEqual(second?.event);
    }
    expect(await a.countEvents({}, 0)).toBe(20);
    expect((await b.sequenceBounds(0)).last).toBe('20');
  });

  it('never let receivedAt go back when one replica clock is an hour behind', async () => {
    const [a, b] = await openReplicas();
    const results: InsertResult[] = [];
    for (let round = 0; round < 10; round++) {
      const burst = [a.insertEvent(newEvent(null)), b.insertEvent(newEvent(null, -3_600_000))];
      results.push(...(await Promise.all(burst)));
    }
    const bySequence = [...results].sort((x, y) => Number(x.event.sequence) - Number(y.event.sequence));
    for (let i = 1; i < bySequence.length; i++) {
      const [before, after] = [bySequence[i - 1]?.event, bySequence[i]?.event] as [StoredEvent, StoredEvent];
      expect(after.receivedAtMs).toBeGreaterThanOrEqual(before.receivedAtMs);
      expect(after.id > before.id).toBe(true);
    }
    // The database clock, not the replica's: the late replica's events are not an hour in the past.
    for (const { event } of results) expect(Math.abs(event.receivedAtMs - Date.now())).toBeLessThan(60_000);
  });

  it('never let receivedAt go back when the database clock steps back', async () => {
    const [a, b] = await openReplicas();
    const { event: first } = await a.insertEvent(newEvent(null));
    // As if the database host's clock had been ten minutes ahead when it stamped the last event.
    const aheadMs = first.receivedAtMs + 600_000;
    const sql = postgres(database?.url as string, { max: 1, onnotice: () => {} });
    try {
      await sql`update ${sql(schemaOf(a))}.stream_head set last_received_at = ${aheadMs}`;
    } finally {
      await sql.end();
    }
    const later = await Promise.all([a.insertEvent(newEvent(null)), b.insertEvent(newEvent(null))]);
    for (const { event } of later) expect(event.receivedAtMs).toBe(aheadMs);
    const ids = later.map((r) => r.event.id);
    expect([...ids].sort()).toEqual(
      [...later].sort((x, y) => Number(x.event.sequence) - Number(y.event.sequence)).map((r) => r.event.id),
    );
  });
});

describe('PostgreSQL failures', () => {
  it('rejects a read and an insert with StoreUnavailableError when a lock is not granted in time, and serves them after', async () => {
    if (!database) throw new Error('the test database was not created');
    const schema = randomName('locked');
    const store = await createPgStore({
      databaseUrl: database.url,
      maxRejections: 10,
      schema,
      statementTimeoutMs: 300,
    });
    const holder = postgres(database.url, { max: 1, onnotice: () => {} });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    try {
      await store.insertEvent(makeNewEvent('before'));
      // Another session holds the tables the read and the insert need, past their lock_timeout.
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const held = holder.begin(async (tx) => {
        await tx`lock table ${tx(schema)}.entities, ${tx(schema)}.stream_head in access exclusive mode`;
        locked();
        await released;
      });
      await isLocked;
      const started = Date.now();
      await expect(store.countEntities(null, 0)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.insertEvent(makeNewEvent('during'))).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(5_000);
      release();
      await held;
      expect((await store.insertEvent(makeNewEvent('after'))).event.sequence).toBe('2');
      expect(await store.countEntities(null, 0)).toBe(1);
    } finally {
      release();
      await holder.end();
      await store.close();
    }
  });
});

describe('PostgreSQL text limits', () => {
  it('stores a webhook whose fields carry U+0000 (as U+FFFD) without failing the commit it shares', async () => {
    if (!database) throw new Error('the test database was not created');
    const store = await createPgStore({
      databaseUrl: database.url,
      maxRejections: 10,
      schema: randomName('nul'),
    });
    try {
      const plain = makeNewEvent('plain');
      const nul: NewEvent = {
        ...makeNewEvent('nul'),
        entityType: 'ta\u0000sk',
        entityId: 'id\u0000x',
        modifiedFields: ['a\u0000b'],
        deliveryId: 'fail-n\u0000ul',
        raw: Buffer.from('{"payload":{"id":"id\\u0000x"}}'),
      };
      const refusal = {
        id: 'R-nul',
        receivedAtMs: Date.now(),
        status: 400,
        code: 'INVALID_EVENT',
        message: 'entity_type: got "a\u0000"',
        issues: [{ path: 'entity_type', message: 'got "a\u0000"' }],
        headers: null,
        raw: Buffer.from('{}'),
        rawBytes: 2,
      };
      const [stored, other] = await Promise.all([
        store.insertEvent(nul),
        store.insertEvent(plain),
        store.insertRejection(refusal),
      ]);
      expect(stored.event).toMatchObject({
        entityType: 'ta\ufffdsk',
        entityId: 'id\ufffdx',
        modifiedFields: ['a\ufffdb'],
        deliveryId: 'fail-n\ufffdul',
        raw: nul.raw,
      });
      expect(other.duplicate).toBe(false);
      expect(await store.getEvent(stored.event.id, 0)).toEqual(stored.event);
      // The same delivery again is a duplicate of it, not a failure.
      expect((await store.insertEvent({ ...nul, id: 'again' })).duplicate).toBe(true);
      const [kept] = (await store.listRejections(1, null, 0)).rows;
      expect(kept?.message).toBe('entity_type: got "a\ufffd"');
    } finally {
      await store.close();
    }
  });

  it('stores the longest entity id and delivery id the intake takes (4-byte characters) and finds the duplicate', async () => {
    if (!database) throw new Error('the test database was not created');
    const store = await createPgStore({
      databaseUrl: database.url,
      maxRejections: 10,
      schema: randomName('long'),
    });
    try {
      const longest: NewEvent = {
        ...makeNewEvent('long'),
        // Random characters: PostgreSQL compresses an index row, so a repeated one would fit far past the limit.
        entityId: randomText(MAX_ENTITY_ID_CHARS, 0x1f300, 0x300), // 4 bytes each in UTF-8
        deliveryId: randomText(MAX_DELIVERY_ID_CHARS, 0xc0, 0x40), // what a latin1 header can carry, 2 bytes each
      };
      const stored = await store.insertEvent(longest);
      expect(stored.duplicate).toBe(false);
      expect((await store.entityEvents(longest.entityId, 0)).map((e) => e.id)).toEqual([stored.event.id]);
      expect((await store.insertEvent({ ...longest, id: 'again' })).event.id).toBe(stored.event.id);
    } finally {
      await store.close();
    }
  });
});

/** `count` random code points from [from, from + span). */
function randomText(count: number, from: number, span: number): string {
  return Array.from({ length: count }, () =>
    String.fromCodePoint(from + Math.floor(Math.random() * span)),
  ).join('');
}

describe('a write PostgreSQL refuses', () => {
  it('fails alone: the webhooks that shared its commit are stored', async () => {
    if (!database) throw new Error('the test database was not created');
    const store = await createPgStore({
      databaseUrl: database.url,
      maxRejections: 10,
      schema: randomName('refused'),
    });
    try {
      // An entity id longer than a b-tree index entry may be (about 2.7 kB): refused by PostgreSQL.
      const tooLong = {
        ...makeNewEvent('long'),
        entityId: 'x'
          .repeat(20_000)
          .replace(/x/g, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))),
      };
      const [long, first, second] = await Promise.allSettled([
        store.insertEvent(tooLong),
        store.insertEvent(makeNewEvent('first')),
        store.insertEvent(makeNewEvent('second')),
      ]);
      expect(long.status).toBe('rejected');
      expect(first.status === 'fulfilled' && first.value.event.sequence).toBe('1');
      expect(second.status === 'fulfilled' && second.value.event.sequence).toBe('2');
      expect(await store.countEvents({}, 0)).toBe(2);
    } finally {
      await store.close();
    }
  });
});

/** A minimal event for the failure tests. */
function makeNewEvent(tag: string): NewEvent {
  return {
    id: `fail-${tag}`,
    receivedAtMs: Date.now(),
    timeMs: Date.now(),
    action: 'create',
    entityType: 'task',
    entityId: 'one',
    modifiedFields: null,
    deliveryId: `fail-${tag}`,
    headers: null,
    raw: Buffer.from(JSON.stringify({ payload: { id: 'one', tag } })),
  };
}
