import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { foldEntity } from '../src/domain/fold.js';
import type { Action, EventAnalysis, FoldInput, JsonObject } from '../src/domain/types.js';
import { changesForApi } from '../src/read/entities.js';
import { graphql, ManualClock, postCreated, startTestServer, type TestServer } from './helpers/server.js';

// The first fold of an entity after a restart reads its events from the store (the fold cache is empty).
// Whatever removed events meanwhile (retention, the cap, a delete from the middle) and however they
// arrived (out of order), what a client reads of the entity must be the fold of the events still
// retained, as the event list shows them.

const HOUR_MS = 3_600_000;
const RETENTION_MS = 7 * 24 * HOUR_MS;
const ENTITY = 'long-1';
const ENV = { PURGE_INTERVAL: '1d', MAX_STORED_EVENTS: '40' };

/** A listed event, with what the fold needs of it. */
interface ListedEvent {
  id: string;
  action: Action;
  entityType: string;
  entityId: string;
  time: string;
  receivedAt: string;
  modifiedFields: string[] | null;
  deliveryId: string | null;
  raw: string;
  payload: JsonObject;
}

const LIST = `query($after: String) { events(first: 500, after: $after) {
  edges { node { id action entityType entityId time receivedAt modifiedFields deliveryId raw payload } }
  pageInfo { endCursor hasNextPage } } }`;

const ENTITY_QUERY = `query($id: ID!) { entity(id: $id) {
  id entityType state deleted complete version createdAt updatedAt warnings
  events(first: 500) { edges { node { id changes { field before after } } } } } }`;

/** Every retained event, newest first, from the unfiltered list (which reads no entity index). */
async function retainedEvents(t: TestServer): Promise<ListedEvent[]> {
  const all: ListedEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const page: {
      data: {
        events: {
          edges: { node: ListedEvent }[];
          pageInfo: { endCursor: string | null; hasNextPage: boolean };
        };
      };
    } = await graphql(t.url, LIST, { after });
    all.push(...page.data.events.edges.map((edge) => edge.node));
    if (!page.data.events.pageInfo.hasNextPage) return all;
    after = page.data.events.pageInfo.endCursor;
  }
}

/** What a client should read of the entity: the fold of its retained events (null: none retained). */
async function expectedEntity(t: TestServer, entityId: string) {
  const inputs: FoldInput[] = (await retainedEvents(t))
    .filter((event) => event.entityId === entityId)
    .reverse()
    .map((event) => ({
      id: event.id,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      timeMs: Date.parse(event.time),
      receivedAtMs: Date.parse(event.receivedAt),
      modifiedFields: event.modifiedFields,
      payload: event.payload,
      deliveryId: event.deliveryId,
      raw: event.raw,
    }));
  if (inputs.length === 0) return null;
  const fold = foldEntity(inputs);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: entityId,
    entityType: fold.entityType,
    state: fold.state === null ? null : { ...fold.state },
    deleted: fold.deleted,
    complete: fold.complete,
    version: fold.version,
    createdAt: iso(fold.createdAtMs),
    updatedAt: iso(fold.updatedAtMs),
    warnings: fold.warnings,
    events: {
      edges: fold.order.map((input) => ({
        node: {
          id: input.id,
          changes: changesForApi((fold.analysis.get(input.id) as EventAnalysis).changes),
        },
      })),
    },
  };
}

/** Fails unless the entity over GraphQL is the fold of its retained events; returns what was read. */
async function expectFoldOfRetained(t: TestServer, entityId = ENTITY) {
  const read = await graphql<{ entity: Record<string, unknown> | null }>(t.url, ENTITY_QUERY, {
    id: entityId,
  });
  expect(read.errors).toBeUndefined();
  expect(read.data.entity).toEqual(await expectedEntity(t, entityId));
  return read.data.entity as { complete: boolean; version: number; state: JsonObject; warnings: string[] };
}

const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-first-fold-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('the entity after each restart is the fold of its retained events: through purges, deletes, eviction and out-of-order arrivals', async () => {
  const clock = new ManualClock();
  const start = () => startTestServer({ clock, dataDir, env: ENV });
  const iso = (ms: number) => new Date(ms).toISOString();
  const update = (payload: JsonObject, timeMs = clock.now()) => ({
    action: 'update',
    entity_type: 'task',
    time: iso(timeMs),
    id: ENTITY,
    modified_fields: Object.keys(payload),
    payload,
  });
  const other = (n: number) => ({
    action: 'create',
    entity_type: 'task',
    time: iso(clock.now()),
    payload: { id: `other-${n}`, n },
  });

  const startMs = clock.now();
  let t = await start();
  const ids: string[] = [];
  try {
    // Only the create sets `name`: once it is purged, the state must not show it.
    ids.push(
      await postCreated(t.url, {
        action: 'create',
        entity_type: 'task',
        time: iso(clock.now()),
        payload: { id: ENTITY, name: 'first', size: 0 },
      }),
    );
    for (let i = 1; i <= 12; i++) {
      clock.advance(HOUR_MS);
      await postCreated(t.url, other(i)); // interleaved: the entity's rows are not adjacent in the table
      // The 6th arrives out of order: its time is two hours before the previous event's.
      ids.push(
        await postCreated(
          t.url,
          update({ size: i, [`f${i % 3}`]: i }, clock.now() - (i === 6 ? 2 * HOUR_MS : 0)),
        ),
      );
    }
    // A repeated body without a delivery id: the fold flags it.
    ids.push(await postCreated(t.url, update({ size: 12, f0: 12 }, clock.now())));
    const before = await expectFoldOfRetained(t);
    expect(before).toMatchObject({ complete: true, version: 14, state: { name: 'first' } });
    expect(before.warnings.some((w) => w.startsWith('Out of order'))).toBe(true);
    expect(before.warnings.some((w) => w.startsWith('Repeated delivery'))).toBe(true);

    // A restart: the fold cache is empty, the first fold reads the store.
    await t.close();
    t = await start();
    await expectFoldOfRetained(t);

    // Retention: the create and the first two updates pass the cut-off and are purged.
    clock.advance(RETENTION_MS - 10 * HOUR_MS + HOUR_MS / 2);
    expect((await t.server.purgeNow()).eventCount).toBeGreaterThanOrEqual(3);
    const purged = await expectFoldOfRetained(t);
    expect(purged.complete).toBe(false);
    expect(purged.state).not.toHaveProperty('name');
    expect(purged.version).toBe(11);
    await t.close();
    t = await start();
    expect((await expectFoldOfRetained(t)).complete).toBe(false);

    // A delete from the middle (which the fold's two-ended fingerprint cannot see), then a restart.
    const middle = ids[7] as string;
    const deleted = await graphql<{ deleteEvent: { eventCount: number } }>(
      t.url,
      'mutation($id: ID!) { deleteEvent(id: $id) { eventCount } }',
      { id: middle },
    );
    expect(deleted.data.deleteEvent.eventCount).toBe(1);
    expect((await expectFoldOfRetained(t)).version).toBe(10);
    await t.close();
    t = await start();
    expect((await expectFoldOfRetained(t)).version).toBe(10);

    // Eviction by the cap (40 stored events): other entities' events push the entity's oldest out.
    const stored = (await retainedEvents(t)).length;
    for (let n = 0; n < 40 - stored + 6; n++) await postCreated(t.url, other(100 + n));
    expect(await retainedEvents(t)).toHaveLength(40);
    const evicted = await expectFoldOfRetained(t);
    expect(evicted.version).toBe(7);
    await t.close();
    t = await start();
    expect((await expectFoldOfRetained(t)).version).toBe(7);

    // An arrival whose time sorts among the retained events (before the last four updates): the fold reorders, after a restart too.
    clock.advance(HOUR_MS);
    await postCreated(t.url, update({ size: -1, late: true }, startMs + 8.5 * HOUR_MS));
    const late = await expectFoldOfRetained(t);
    expect(late.state).toMatchObject({ late: true });
    expect(late.state.size).not.toBe(-1);
    await t.close();
    t = await start();
    await expectFoldOfRetained(t);
  } finally {
    await t.close();
  }
});
