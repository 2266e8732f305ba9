import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headMessage } from '../../src/live/wakeup.js';
import { createPgStore } from '../../src/store/pg/index.js';
import type { EventStore, NewEvent } from '../../src/store/types.js';
import { createTestDatabase, randomName, type TestDatabase } from '../helpers/pg.js';
import { waitFor } from '../helpers/server.js';

// The store's own wake-up (PgStoreOptions.announce): each ingest transaction that took positions sends
// NOTIFY with its last position from inside the transaction, so that the replicas listening are woken
// by the commit itself. What the tailers rely on: one notification per such commit, in commit order,
// naming the head, none for a commit that took no position, and the events visible to a read made on
// another connection as soon as the notification arrives.

let database: TestDatabase | null = null;
let store: EventStore | null = null;
let listener: postgres.Sql | null = null;
const channel = randomName('hs_announce');
const ORIGIN = 'store-a';

beforeAll(async () => {
  database = await createTestDatabase();
  store = await createPgStore({
    databaseUrl: database.url,
    maxRejections: 100,
    schema: randomName('announce'),
    announce: { channel, message: (head) => headMessage(head, ORIGIN) },
  });
  listener = postgres(database.url, { max: 1, onnotice: () => {} });
}, 60_000);
afterAll(async () => {
  await listener?.end({ timeout: 1 });
  await store?.close();
  await database?.drop();
}, 60_000);

const event = (n: number, deliveryId = `announce-${n}`): NewEvent => ({
  id: `announce-${n}`,
  receivedAtMs: Date.now(),
  timeMs: Date.now(),
  action: 'create',
  entityType: 'task',
  entityId: `task-${n}`,
  modifiedFields: null,
  deliveryId,
  headers: null,
  raw: Buffer.from(JSON.stringify({ action: 'create', entity_type: 'task', payload: { id: `task-${n}` } })),
});

describe('a PostgreSQL store that announces its commits', () => {
  it('notifies once per commit with its last position, none for a commit of duplicates only, each readable on arrival', async () => {
    const pg = store as EventStore;
    const received: { payload: string; readUpTo: string | null }[] = [];
    // Each notification is answered by a read on the store's pool, as a tailer makes it.
    await (listener as postgres.Sql).listen(channel, (payload) => {
      const entry = { payload, readUpTo: null as string | null };
      received.push(entry);
      void pg.eventsAfterSequence('0', 100, 0).then((events) => {
        entry.readUpTo = events.at(-1)?.sequence ?? '0';
      });
    });

    // One turn, one group commit: positions 1-3, one notification naming 3.
    const first = await Promise.all([1, 2, 3].map((n) => pg.insertEvent(event(n))));
    expect(first.map((r) => r.event.sequence)).toEqual(['1', '2', '3']);
    await waitFor(() => received.length === 1 && received[0]?.readUpTo !== null);
    expect(received[0]).toEqual({ payload: headMessage('3', ORIGIN), readUpTo: '3' });

    // A retry of a stored delivery takes no position: its commit says nothing. Notifications arrive in
    // commit order, so one of it would come before the next commit's.
    const retry = await pg.insertEvent(event(9, 'announce-2'));
    expect(retry.duplicate).toBe(true);
    const next = await pg.insertEvent(event(4));
    expect(next.event.sequence).toBe('4');
    await waitFor(() => received.length >= 2 && received[1]?.readUpTo !== null);
    expect(received).toEqual([
      { payload: headMessage('3', ORIGIN), readUpTo: '3' },
      { payload: headMessage('4', ORIGIN), readUpTo: '4' },
    ]);
  });
});
