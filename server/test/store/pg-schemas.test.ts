import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  newFieldDrift,
  newTypeDrift,
  SCHEMA_BUCKET_MS,
  SCHEMA_SETTLED_AFTER_EVENTS,
} from '../../src/domain/schema-learning.js';
import type { EventStore, StoredEvent } from '../../src/store/types.js';
import { createPgStore, type PgStoreOptions } from '../../src/store/pg/index.js';
import { createTestDatabase, randomName, type TestDatabase } from '../helpers/pg.js';

// Learned schemas across replicas: two stores on the same tables (as two replicas on one database)
// learn every event once, in commit order, whichever replica took it: a new field is drift for exactly
// the first event that carries it in commit order (the lowest sequence), and the shape, its counts and
// its hourly counts add up over both.

type NewEvent = Parameters<EventStore['insertEvent']>[0];

let database: TestDatabase | null = null;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});
const opened: EventStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

let serial = 0;
function makeEvent(action: NewEvent['action'], payload: Record<string, unknown>): NewEvent {
  const n = ++serial;
  return {
    id: `S${String(n).padStart(10, '0')}`,
    receivedAtMs: Date.now(),
    timeMs: Date.now(),
    action,
    entityType: 'shape',
    entityId: `s-${n % 5}`,
    modifiedFields: null,
    deliveryId: `msg_${n}`,
    headers: null,
    raw: Buffer.from(JSON.stringify({ payload })),
  } as NewEvent;
}

describe('learned schemas across replicas (PostgreSQL)', () => {
  it('learns each event once in commit order, whichever replica stored it: one drift for a new field, counts summed', async () => {
    if (!database) throw new Error('the test database was not created');
    const options: PgStoreOptions = {
      databaseUrl: database.url,
      maxRejections: 10,
      schema: randomName('learn'),
      maxConnections: 4,
    };
    const a = await createPgStore(options);
    opened.push(a);
    const b = await createPgStore(options);
    opened.push(b);

    const creates = Array.from({ length: SCHEMA_SETTLED_AFTER_EVENTS }, (_, i) =>
      makeEvent('create', { id: `s${i}`, name: 'n' }),
    );
    for (const event of creates) expect((await a.insertEvent(event)).event.drift ?? null).toBeNull();

    // Both replicas at once, in several commits each: every update carries the new field `color`.
    const updates = Array.from({ length: 40 }, (_, i) =>
      makeEvent('update', { id: `s${i % 5}`, name: 'n', color: `c${i}` }),
    );
    const stored: StoredEvent[] = [];
    for (let i = 0; i < updates.length; i += 8) {
      const round = updates.slice(i, i + 8);
      const results = await Promise.all(round.map((event, j) => (j % 2 === 0 ? a : b).insertEvent(event)));
      stored.push(...results.map((result) => result.event));
    }
    const inCommitOrder = [...stored].sort((x, y) => Number(BigInt(x.sequence) - BigInt(y.sequence)));
    // Judged against what every event before it taught, on either replica: only the first is new.
    expect(inCommitOrder.map((event) => event.drift ?? null)).toEqual([
      [newFieldDrift('shape', 'color')],
      ...inCommitOrder.slice(1).map(() => null),
    ]);
    const first = inCommitOrder[0] as StoredEvent;
    expect((await b.getEvent(first.id, 0))?.drift).toEqual([newFieldDrift('shape', 'color')]);

    // The same shape from either replica: counts over both, the example from the latest in commit order.
    const schema = await b.getSchema('shape', 0);
    expect(schema).toEqual(await a.getSchema('shape', 0));
    const update = schema?.actions.find((action) => action.action === 'update');
    expect(schema?.actions.map((action) => [action.action, action.eventCount])).toEqual([
      ['create', SCHEMA_SETTLED_AFTER_EVENTS],
      ['update', 40],
    ]);
    const color = update?.fields.find((field) => field.path === 'color');
    const latest = JSON.parse((inCommitOrder.at(-1) as StoredEvent).raw.toString('utf8')) as {
      payload: { color: string };
    };
    expect(color?.presentCount).toBe(40);
    expect(color?.types).toEqual({ string: 40 });
    expect(color?.example).toBe(latest.payload.color);
    expect(color?.seen.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(40);
    for (const bucket of color?.seen ?? []) expect(bucket.startMs % SCHEMA_BUCKET_MS).toBe(0);

    // What replica A learned judges replica B's next event.
    const { event: retyped } = await b.insertEvent(makeEvent('update', { id: 's1', name: 5 }));
    expect(retyped.drift).toEqual([newTypeDrift('name', 'number', ['string'])]);
  }, 60_000);

  it('stores and learns a body whose keys and values hold U+0000, and an attempt whose answer does (PostgreSQL text cannot)', async () => {
    if (!database) throw new Error('the test database was not created');
    const store = await createPgStore({
      databaseUrl: database.url,
      maxRejections: 10,
      schema: randomName('nul'),
      maxConnections: 2,
    });
    opened.push(store);
    const payload = { id: 'n1', 'odd\u0000key': 'value\u0000with nul', nested: { 'in\u0000side': [1] } };
    const first = makeEvent('create', payload);
    // One commit with an ordinary event: neither may fail because of the other.
    const [odd, plain] = await Promise.all([
      store.insertEvent(first),
      store.insertEvent(makeEvent('create', { id: 'n2' })),
    ]);
    expect(odd?.duplicate).toBe(false);
    expect(plain?.duplicate).toBe(false);
    const stored = (odd as { event: StoredEvent }).event;
    expect((await store.getEvent(stored.id, 0))?.raw).toEqual(first.raw);
    const fields = (await store.getSchema('shape', 0))?.actions[0]?.fields.map((field) => field.path);
    expect(fields).toEqual(['id', 'odd\ufffdkey', 'nested', 'nested.in\ufffdside', 'nested.in\ufffdside[]']);
    // Learned the same way again: no drift from its own keys once known.
    const { event: again } = await store.insertEvent(makeEvent('create', payload));
    expect(again.drift ?? null).toBeNull();
    const attempt = {
      id: 'D-nul',
      eventId: stored.id,
      source: 'replay' as const,
      target: 'http://127.0.0.1:9/hook',
      attemptedAtMs: Date.now(),
      status: 200,
      durationMs: 1,
      responseBody: 'binary\u0000answer',
      responseTruncated: false,
      error: null,
    };
    expect(await store.insertDelivery(attempt, 0)).toBe(true);
    expect(await store.listDeliveries(stored.id, 0)).toEqual([
      { ...attempt, responseBody: 'binary\ufffdanswer' },
    ]);
  });
});
