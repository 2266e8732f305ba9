import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createEntityReader, type EntityReader, type FoldedEntity } from '../src/read/entities.js';
import type { Action } from '../src/domain/types.js';
import { createIdGenerator } from '../src/shared/ids.js';
import { createSqliteStore } from '../src/store/sqlite/index.js';
import {
  EXAMPLE_CREATE,
  EXAMPLE_UPDATE,
  graphql,
  ManualClock,
  postEvent,
  startTestServer,
} from './helpers/server.js';

/** What a reader shows of an entity: everything the APIs expose of a fold. */
function view(folded: FoldedEntity | null) {
  if (!folded) return null;
  const { fold } = folded;
  return {
    state: fold.state,
    deleted: fold.deleted,
    version: fold.version,
    warnings: fold.warnings,
    order: fold.order.map((input) => input.id),
    analysis: [...fold.analysis],
    events: [...folded.events.keys()].sort(),
  };
}

/** A posted step of the plans below. */
interface PostStep {
  entity: number;
  action: Action;
  timeOffsetMs: number;
  field: number;
}

/** The stored form of a posted step at `nowMs` (as the intake would store it), and its payload. */
function taskEvent(step: PostStep, nowMs: number, id: string) {
  const entityId = `entity-${step.entity}`;
  const payload = {
    ...(step.action === 'create' ? { id: entityId } : {}),
    [`f${step.field}`]: nowMs,
  };
  const body = {
    action: step.action,
    entity_type: 'task',
    time: new Date(nowMs + step.timeOffsetMs).toISOString(),
    ...(step.action === 'create' ? {} : { id: entityId }),
    payload,
  };
  const event = {
    id,
    receivedAtMs: nowMs,
    timeMs: nowMs + step.timeOffsetMs,
    action: step.action,
    entityType: 'task',
    entityId,
    modifiedFields: step.action === 'update' ? [`f${step.field}`] : null,
    deliveryId: null,
    headers: null,
    raw: Buffer.from(JSON.stringify(body)),
  };
  return { entityId, event, payload };
}

/** Fails unless `cached` shows entity `entity` as a fresh reader of `store` does. */
async function expectAsFresh(
  cached: EntityReader,
  store: Parameters<typeof createEntityReader>[0],
  entity: number,
  cutoffMs: number,
): Promise<void> {
  const id = `entity-${entity}`;
  expect(view(await cached.fold(id, cutoffMs))).toEqual(
    view(await createEntityReader(store).fold(id, cutoffMs)),
  );
}

const steps = fc.array(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('post' as const),
        entity: fc.integer({ min: 0, max: 1 }),
        action: fc.constantFrom<Action>('create', 'update', 'update', 'delete'),
        // Mostly in order, sometimes late: the fold orders by `time`, the cache by arrival.
        timeOffsetMs: fc.oneof(fc.constant(0), fc.integer({ min: -5_000, max: 0 })),
        field: fc.integer({ min: 0, max: 3 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 4_000 }) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const) }) },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('read' as const), entity: fc.integer({ min: 0, max: 1 }) }),
    },
  ),
  { maxLength: 60 },
);

// The reader caches folds and, when an entity changed, reads only what arrived since. Whatever happened
// in between (new events, late ones, expiry by the cut-off, eviction by MAX_STORED_EVENTS), a long-lived
// reader must show exactly what a fresh one folding every retained event shows.
it('a cached fold, refreshed incrementally, always equals a fresh fold of the retained events', async () => {
  await fc.assert(
    fc.asyncProperty(steps, fc.constantFrom(0, 5), async (plan, maxStoredEvents) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-entities-'));
      const store = createSqliteStore({ dataDir, maxRejections: 10, maxStoredEvents });
      let nowMs = Date.parse('2026-01-01T00:00:00Z');
      const retentionMs = 10_000;
      const cutoff = () => nowMs - retentionMs;
      // The purge interval is never reached: the plan's purge steps run it.
      const maintenance = store.startMaintenance({ cutoffMs: cutoff, purgeIntervalMs: 86_400_000 });
      try {
        const newId = createIdGenerator({ now: () => nowMs });
        const cached = createEntityReader(store);
        for (const step of [
          ...plan,
          { kind: 'read', entity: 0 } as const,
          { kind: 'read', entity: 1 } as const,
        ]) {
          if (step.kind === 'wait') nowMs += step.ms;
          else if (step.kind === 'purge') await maintenance.runNow();
          else if (step.kind === 'read') await expectAsFresh(cached, store, step.entity, cutoff());
          else {
            await store.insertEvent(taskEvent(step, nowMs, newId()).event);
            nowMs += 1;
          }
        }
      } finally {
        await maintenance.stop();
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
}, 120_000);

const writeSteps = fc.array(
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('post' as const),
        entity: fc.integer({ min: 0, max: 1 }),
        action: fc.constantFrom<Action>('create', 'update', 'update', 'delete'),
        timeOffsetMs: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -5_000, max: 0 })),
        field: fc.integer({ min: 0, max: 3 }),
        // A fold of the entity started just before the commit, awaited after it was applied.
        readUnderWay: fc.boolean(),
        // Now and then, another replica's commit reached the stream before this one.
        foreignBefore: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        // The commit does not say what the entity's previous event was (as PostgreSQL's does not).
        unsaid: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 4_000 }) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const) }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('read' as const), entity: fc.integer({ min: 0, max: 1 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    },
  ),
  { maxLength: 60, size: 'max' },
);

// The write-through path: each commit is applied to the cache as the server applies it (in commit order,
// with what the commit said of the entity's previous event), its analysis taken from the cache. Whatever
// happens around it (reads under way, deletes, expiry, eviction, foreign commits), every analysis it gives
// must be the one a fresh fold of the retained events gives right then, and the cache must stay exact.
it('folds written through from commits equal fresh folds, through reads under way, deletes, expiry and eviction', async () => {
  let writtenThrough = 0;
  let commits = 0;
  await fc.assert(
    fc.asyncProperty(writeSteps, fc.constantFrom(0, 5), async (plan, maxStoredEvents) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-entities-'));
      const store = createSqliteStore({ dataDir, maxRejections: 10, maxStoredEvents });
      let nowMs = Date.parse('2026-01-01T00:00:00Z');
      const cutoff = () => nowMs - 10_000;
      // The real store, its entity reads answered a little late: a commit lands while one is under way.
      const cached = createEntityReader({
        entityBounds: (...args) => store.entityBounds(...args),
        async entityEvents(...args) {
          const events = await store.entityEvents(...args);
          await new Promise((resolve) => setTimeout(resolve, 1));
          return events;
        },
      });
      const maintenance = store.startMaintenance({
        cutoffMs: cutoff,
        purgeIntervalMs: 86_400_000,
        onEvicted: (eviction) => cached.evicted(eviction.beforeMs),
      });
      const stored: string[] = [];
      try {
        const newId = createIdGenerator({ now: () => nowMs });
        for (const step of [
          ...plan,
          { kind: 'read', entity: 0 } as const,
          { kind: 'read', entity: 1 } as const,
        ]) {
          if (step.kind === 'wait') nowMs += step.ms;
          else if (step.kind === 'purge') await maintenance.runNow();
          else if (step.kind === 'read') await expectAsFresh(cached, store, step.entity, cutoff());
          else if (step.kind === 'delete') {
            const id = stored[step.pick % Math.max(1, stored.length)];
            if (id === undefined) continue;
            await cached.deleting(() => store.deleteEvents({ kind: 'one', id }, cutoff()));
          } else {
            const { entityId, event, payload } = taskEvent(step, nowMs, newId());
            if (step.foreignBefore) cached.observeForeign();
            const reading = step.readUnderWay ? cached.fold(entityId, cutoff()) : null;
            const result = await store.insertEvent(event, payload);
            stored.push(result.event.id);
            commits += 1;
            cached.apply(
              [
                {
                  event: result.event,
                  payload,
                  ...(result.previousReceivedAtMs !== undefined &&
                    !step.unsaid && {
                      previousReceivedAtMs: result.previousReceivedAtMs,
                    }),
                },
              ],
              cutoff(),
            );
            const analysis = cached.analysisOf(result.event);
            const fresh = await createEntityReader(store).fold(entityId, cutoff());
            if (analysis) {
              writtenThrough += 1;
              expect(analysis).toEqual(fresh?.fold.analysis.get(result.event.id));
            }
            await reading;
            nowMs += 1;
          }
        }
      } finally {
        await maintenance.stop();
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
  // Not vacuous: many commits were written through (the others were misses: unsaid, after foreign commits,
  // deletes under way or evictions).
  expect(writtenThrough).toBeGreaterThan(commits / 4);
}, 120_000);

// The fold cache trusts that an entity's events only grow at the end; a wall clock stepping back must
// not break that (nor, after a restart, a clock behind what is stored).
it('an event received after the clock stepped back (even across a restart) still shows in its entity', async () => {
  const clock = new ManualClock();
  let t = await startTestServer({ clock });
  try {
    const entity = async () =>
      (
        await graphql<{ entity: { version: number; state: Record<string, unknown> } }>(
          t.url,
          'query($id: ID!) { entity(id: $id) { version state } }',
          { id: EXAMPLE_CREATE.payload.id },
        )
      ).data.entity;
    expect((await postEvent(t.url, EXAMPLE_CREATE)).status).toBe(201);
    expect((await entity()).version).toBe(1);
    clock.advance(-3_600_000);
    expect((await postEvent(t.url, { ...EXAMPLE_UPDATE, payload: { name: 'after step back' } })).status).toBe(
      201,
    );
    expect(await entity()).toMatchObject({ version: 2, state: { name: 'after step back' } });

    await t.close();
    clock.advance(-3_600_000);
    t = await startTestServer({ clock, dataDir: t.dataDir });
    expect((await entity()).version).toBe(2);
    expect((await postEvent(t.url, { ...EXAMPLE_UPDATE, payload: { name: 'after restart' } })).status).toBe(
      201,
    );
    expect(await entity()).toMatchObject({ version: 3, state: { name: 'after restart' } });
    const { data } = await graphql<{ events: { edges: { node: { receivedAt: string } }[] } }>(
      t.url,
      '{ events(first: 3) { edges { node { receivedAt } } } }',
    );
    const received = data.events.edges.map((edge) => Date.parse(edge.node.receivedAt));
    expect(received).toEqual([...received].sort((a, b) => b - a));
  } finally {
    await t.dispose();
  }
});
