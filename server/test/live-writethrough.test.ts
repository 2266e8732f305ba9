import { describe, expect } from 'vitest';
import type { Client } from 'graphql-ws';
import { useTestServer } from './helpers/fixtures.js';
import { connected, graphql, ManualClock, postCreated, waitFor, wsClient } from './helpers/server.js';
import type { EventStore } from '../src/store/types.js';

// The write-through read model (issue 12): an event this server commits reaches its subscribers with its
// `changes` and `warnings` folded at commit, reading nothing back from the store, and they are what a
// query answers afterwards, through deletes, a purge and the entity's whole life.

const HOUR_MS = 3_600_000;

/** The store's writes and upkeep: everything else it is asked is a read, and counted. */
const NOT_READS = new Set([
  'insertEvent',
  'insertRejection',
  'insertDelivery',
  'deleteEvents',
  'startMaintenance',
  'close',
]);
const reads: string[] = [];

/** The real store, every read through it recorded by name. */
function countingReads(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || NOT_READS.has(property))
        return value;
      return (...args: unknown[]) => {
        reads.push(property);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const clock = new ManualClock();
const it = useTestServer({
  clock,
  // The test runs each purge itself.
  env: { EVENT_RETENTION: '1h', PURGE_INTERVAL: '1d' },
  wrapStore: countingReads,
});

interface Delivered {
  id: string;
  action?: string;
  changes?: { field: string; before: unknown; after: unknown }[];
  warnings?: string[];
}

/** A subscriber whose deliveries are kept by event id. */
function subscriber(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const byId = new Map<string, Delivered>();
  const errors: unknown[] = [];
  client.subscribe<{ eventAdded: Delivered }>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(result.errors);
        const event = result.data?.eventAdded;
        if (event) byId.set(event.id, event);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { byId, errors };
}

const ENTITY = 'wt-task-1';
// Selects `changes`; filtered to the one entity.
const WITH_CHANGES = `subscription Changes($f: EventFilter) {
  eventAdded(filter: $f) { id action changes { field before after } warnings }
}`;
// The dashboard's stream row (warnings, no changes), unfiltered.
const STREAM_ROW = `subscription Row {
  eventAdded { id sequence action entityType entityId time receivedAt payload warnings }
}`;
// Only another entity type: must never get an event of the entity above.
const OTHERS = `subscription Others($f: EventFilter) { eventAdded(filter: $f) { id } }`;

const create = (payload: Record<string, unknown>, time: string) => ({
  action: 'create',
  entity_type: 'task',
  time,
  payload: { id: ENTITY, ...payload },
});
const update = (payload: Record<string, unknown>, time: string, modified: string[] | null) => ({
  action: 'update',
  entity_type: 'task',
  time,
  id: ENTITY,
  ...(modified ? { modified_fields: modified } : {}),
  payload,
});
const remove = (time: string) => ({ action: 'delete', entity_type: 'task', time, id: ENTITY, payload: {} });

describe('the write-through read model', () => {
  it("delivers each of this server's commits with the changes and warnings a later query answers, reading nothing", async ({
    t,
  }) => {
    const clients = [wsClient(t.wsUrl), wsClient(t.wsUrl)];
    await Promise.all(clients.map((client) => connected(client)));
    const [first, second] = clients as [Client, Client];
    const changes = [
      subscriber(first, WITH_CHANGES, { f: { entityId: ENTITY } }),
      subscriber(second, WITH_CHANGES, { f: { entityId: ENTITY } }),
    ];
    const rows = [subscriber(first, STREAM_ROW), subscriber(second, STREAM_ROW)];
    const others = subscriber(second, OTHERS, { f: { entityType: 'wt-other' } });
    // Three distinct operations: three shared executions, whatever the number of subscribers.
    await waitFor(() => t.server.subscriberCount('eventAdded') === 3);

    const readsPerEvent: Record<string, string[]> = {};
    const actions: string[] = [];

    /** Posts, waits for every subscriber that should get it, then checks them against a query. */
    async function step(body: Record<string, unknown>): Promise<string> {
      reads.length = 0;
      const id = await postCreated(t.url, body);
      await waitFor(() => [...changes, ...rows].every((s) => s.byId.has(id)));
      readsPerEvent[id] = [...reads];
      actions.push(String(body.action));
      const queried = await graphql<{ event: Required<Delivered> }>(
        t.url,
        'query($id: ID!) { event(id: $id) { id action changes { field before after } warnings } }',
        { id },
      );
      expect(queried.errors).toBeUndefined();
      for (const s of changes) expect(s.byId.get(id)).toEqual(queried.data.event);
      for (const s of rows) expect(s.byId.get(id)?.warnings).toEqual(queried.data.event.warnings);
      return id;
    }

    const created = await step(create({ name: 'a', status: 'open' }, '2026-01-01T00:00:00Z'));
    const renamed = await step(update({ name: 'b' }, '2026-01-01T00:01:00Z', ['name']));
    await step(update({ status: 'done' }, '2026-01-01T00:02:00Z', null)); // no modified_fields: a warning
    // A delete from the middle of the entity's events: the next commit folds without it.
    const deleted = await graphql(t.url, 'mutation($id: ID!) { deleteEvent(id: $id) { eventCount } }', {
      id: renamed,
    });
    expect(deleted.errors).toBeUndefined();
    const renamedAgain = await step(update({ name: 'c' }, '2026-01-01T00:03:00Z', ['name']));
    // Folded without the deleted event: the name was still 'a'.
    expect(changes[0]?.byId.get(renamedAgain)?.changes).toEqual([{ field: 'name', before: 'a', after: 'c' }]);
    // Another entity's event between: only the subscriber of its type gets it.
    const other = await postCreated(t.url, {
      action: 'create',
      entity_type: 'wt-other',
      time: '2026-01-01T00:03:30Z',
      payload: { id: 'wt-other-1' },
    });
    await waitFor(() => others.byId.has(other) && rows.every((s) => s.byId.has(other)));
    await step(remove('2026-01-01T00:04:00Z'));
    await step(update({ name: 'd' }, '2026-01-01T00:05:00Z', ['name'])); // an update after a delete
    await step(remove('2026-01-01T00:06:00Z')); // deleted again
    // Everything so far expires and is purged: the next update has no retained create.
    clock.advance(HOUR_MS + 1);
    await t.server.purgeNow();
    const expired = await graphql<{ event: null }>(t.url, 'query($id: ID!) { event(id: $id) { id } }', {
      id: created,
    });
    expect(expired.data.event).toBeNull();
    const afterPurge = await step(update({ name: 'e' }, '2026-01-01T00:07:00Z', ['name']));
    // Folded from nothing retained: no state before it.
    expect(changes[0]?.byId.get(afterPurge)?.changes).toEqual([{ field: 'name', before: null, after: 'e' }]);
    await step(create({ name: 'f', status: 'open' }, '2026-01-01T00:08:00Z'));
    await step(create({ name: 'g' }, '2026-01-01T00:09:00Z')); // created again
    await step(update({ status: 'late' }, '2026-01-01T00:08:30Z', ['status'])); // out of order

    // What was folded: the warnings of the life above, each seen by the subscribers.
    const warnings = [...(changes[0]?.byId.values() ?? [])].flatMap((event) => event.warnings ?? []);
    for (const expected of [
      'Update without modified_fields',
      'Update after a delete',
      'Deleted again',
      'Update with no retained create',
      'Created again',
      'Out of order',
    ]) {
      expect(
        warnings.some((warning) => warning.startsWith(expected)),
        expected,
      ).toBe(true);
    }
    expect(actions).toHaveLength(11);
    expect(others.byId.size).toBe(1);
    for (const s of [...changes, ...rows, others]) expect(s.errors).toEqual([]);
    // The point: no delivery of this server's own commits read anything from the store.
    expect(readsPerEvent).toEqual(Object.fromEntries(Object.keys(readsPerEvent).map((id) => [id, []])));
    for (const client of clients) await client.dispose();
  });
});
