import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREATED_AFTER_DELETE_WARNING,
  CREATED_AGAIN_WARNING,
  DELETED_AGAIN_WARNING,
  MISSING_MODIFIED_FIELDS_WARNING,
  OUT_OF_ORDER_WARNING,
  UPDATE_AFTER_DELETE_WARNING,
  entityTypeChangedWarning,
  extendFold,
  foldEntity,
  modifiedFieldNotInPayloadWarning,
  noRetainedCreateWarning,
  repeatedDeliveryWarning,
  stateAt,
} from '../../src/domain/fold.js';
import type { FoldInput, FoldResult, JsonObject } from '../../src/domain/types.js';

let sequence = 0;

/** An event of entity "e1"; arrival (receivedAtMs) defaults to its time so order is natural. */
function event(overrides: Partial<FoldInput> & Pick<FoldInput, 'action' | 'timeMs'>): FoldInput {
  sequence++;
  const base: FoldInput = {
    id: `evt${String(sequence).padStart(6, '0')}`,
    entityType: 'task',
    entityId: 'e1',
    receivedAtMs: overrides.timeMs,
    modifiedFields: overrides.action === 'update' ? Object.keys(overrides.payload ?? {}) : null,
    payload: {},
    deliveryId: `msg_${sequence}`,
    raw: `{"n":${sequence}}`,
    ...overrides,
  };
  return base;
}

const create = (timeMs: number, payload: JsonObject, extra: Partial<FoldInput> = {}): FoldInput =>
  event({ action: 'create', timeMs, payload: { id: 'e1', ...payload }, ...extra });
const update = (timeMs: number, payload: JsonObject, extra: Partial<FoldInput> = {}): FoldInput =>
  event({ action: 'update', timeMs, payload, ...extra });
const del = (timeMs: number, extra: Partial<FoldInput> = {}): FoldInput =>
  event({ action: 'delete', timeMs, payload: { id: 'e1' }, ...extra });

describe('foldEntity: state', () => {
  it('creates, merges updates and marks a delete while keeping the last state', () => {
    const events = [
      create(1000, { name: 'a', status: 'todo' }),
      update(2000, { status: 'doing', assignee_id: 'u1' }),
      del(3000),
    ];
    const fold = foldEntity(events);
    expect(fold.state).toEqual({ id: 'e1', name: 'a', status: 'doing', assignee_id: 'u1' });
    expect(fold).toMatchObject({
      entityId: 'e1',
      entityType: 'task',
      deleted: true,
      complete: true,
      version: 3,
      createdAtMs: 1000,
      updatedAtMs: 3000,
      warnings: [],
    });
  });

  it('does not modify the payloads it folds, and builds state without a prototype', () => {
    const first = create(1000, { name: 'a' });
    const fold = foldEntity([first, update(2000, { name: 'b' })]);
    expect(first.payload).toEqual({ id: 'e1', name: 'a' });
    expect(Object.getPrototypeOf(fold.state)).toBeNull();
  });

  it('keeps __proto__ and constructor fields as plain state fields', () => {
    const payload = JSON.parse(
      '{"id": "e1", "__proto__": {"admin": true}, "constructor": "x"}',
    ) as JsonObject;
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as JsonObject;
    const fold = foldEntity([
      event({ action: 'create', timeMs: 1, payload }),
      update(2, hostile, { modifiedFields: ['__proto__'] }),
    ]);
    const state = fold.state ?? {};
    expect(Object.getPrototypeOf(state)).toBeNull();
    expect(state['__proto__']).toEqual({ polluted: true });
    expect(state['constructor']).toBe('x');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(fold.analysis.get(fold.order[1]?.id ?? '')?.changes).toEqual([
      { field: '__proto__', before: { admin: true }, after: { polluted: true } },
    ]);
  });

  it('starts an update without a create from an empty state', () => {
    const fold = foldEntity([update(1, { name: 'x' })]);
    expect(fold.state).toEqual({ name: 'x' });
    expect(fold).toMatchObject({ complete: false, createdAtMs: null, deleted: false });
  });

  it('folds by time first, then by arrival', () => {
    const late = update(3000, { name: 'late' }, { receivedAtMs: 1 });
    const early = create(1000, { name: 'early' }, { receivedAtMs: 2 });
    const sameTimeFirst = update(2000, { name: 'first' }, { receivedAtMs: 5 });
    const sameTimeSecond = update(2000, { name: 'second' }, { receivedAtMs: 6 });
    const fold = foldEntity([late, sameTimeSecond, early, sameTimeFirst]);
    expect(fold.order.map((e) => e.id)).toEqual([early.id, sameTimeFirst.id, sameTimeSecond.id, late.id]);
    expect(fold.state?.['name']).toBe('late');
  });

  it('throws on an empty list and on events of two entities', () => {
    expect(() => foldEntity([])).toThrow(/no events/);
    expect(() => foldEntity([create(1, {}), update(2, {}, { entityId: 'e2' })])).toThrow(/two entities/);
  });
});

describe('foldEntity: changes', () => {
  it('lists the fields a create sets, sorted by name', () => {
    const first = create(1, { name: 'a', b: [1, 2] });
    const fold = foldEntity([first]);
    expect(fold.analysis.get(first.id)?.changes).toEqual([
      { field: 'b', before: undefined, after: [1, 2] },
      { field: 'id', before: undefined, after: 'e1' },
      { field: 'name', before: undefined, after: 'a' },
    ]);
  });

  it('lists only the fields an update really changes (deep equality)', () => {
    const second = update(2, { name: 'a', tags: ['x', 'y'], meta: { k: 1 }, status: 'done' });
    const fold = foldEntity([
      create(1, { name: 'a', tags: ['x', 'y'], meta: { k: 2 }, status: 'todo' }),
      second,
    ]);
    expect(fold.analysis.get(second.id)?.changes).toEqual([
      { field: 'meta', before: { k: 2 }, after: { k: 1 } },
      { field: 'status', before: 'todo', after: 'done' },
    ]);
  });

  it('lists fields a re-create drops, and none for a delete', () => {
    const recreate = create(3, { name: 'b' });
    const remove = del(4);
    const fold = foldEntity([create(1, { name: 'a', extra: true }), recreate, remove]);
    expect(fold.analysis.get(recreate.id)?.changes).toEqual([
      { field: 'extra', before: true, after: undefined },
      { field: 'name', before: 'a', after: 'b' },
    ]);
    expect(fold.analysis.get(remove.id)?.changes).toEqual([]);
  });
});

describe('foldEntity: warnings', () => {
  const warningsOf = (events: FoldInput[], target: FoldInput): string[] =>
    foldEntity(events).analysis.get(target.id)?.warnings ?? [];

  it('an update or delete with no retained create before it', () => {
    const orphanUpdate = update(1, { name: 'x' });
    const orphanDelete = del(2);
    const fold = foldEntity([orphanUpdate, orphanDelete]);
    expect(fold.analysis.get(orphanUpdate.id)?.warnings).toEqual([noRetainedCreateWarning('update')]);
    expect(fold.analysis.get(orphanDelete.id)?.warnings).toEqual([noRetainedCreateWarning('delete')]);
    expect(noRetainedCreateWarning('update')).toMatch(/^Update with no retained create/);
    // A create whose time is later does not count as "before".
    const early = update(1, { a: 1 });
    expect(warningsOf([early, create(5, {})], early)).toEqual([noRetainedCreateWarning('update')]);
  });

  it('out of order: time earlier than an event received before it', () => {
    const first = create(1000, {}, { receivedAtMs: 10 });
    const newer = update(3000, { a: 1 }, { receivedAtMs: 20 });
    const older = update(2000, { a: 2 }, { receivedAtMs: 30 });
    const fold = foldEntity([first, newer, older]);
    expect(fold.analysis.get(older.id)?.warnings).toEqual([OUT_OF_ORDER_WARNING]);
    expect(fold.analysis.get(newer.id)?.warnings).toEqual([]);
    // It is applied in time order: the newer value wins.
    expect(fold.state?.['a']).toBe(1);
  });

  it('a repeated delivery, by webhook-id or by identical body without one', () => {
    const first = create(1, {}, { deliveryId: 'msg_a', raw: 'A' });
    const again = create(1, {}, { deliveryId: 'msg_a', raw: 'A' });
    expect(warningsOf([first, again], again)).toContain(repeatedDeliveryWarning('msg_a'));
    expect(warningsOf([first, again], first)).toEqual([]);
    expect(repeatedDeliveryWarning('msg_a')).toBe(
      'Repeated delivery: delivery id "msg_a" was already received for this entity.',
    );
    const base = create(1, {}, { deliveryId: null, raw: 'B' });
    const copy = update(2, {}, { deliveryId: null, raw: 'B' });
    const other = update(3, {}, { deliveryId: null, raw: 'C' });
    const fold = foldEntity([base, copy, other]);
    expect(fold.analysis.get(copy.id)?.warnings).toEqual([repeatedDeliveryWarning(null)]);
    expect(fold.analysis.get(other.id)?.warnings).toEqual([]);
  });

  it('modified_fields naming a field the payload does not carry (own fields only)', () => {
    const second = update(
      2,
      { assignee_id: 'u' },
      { modifiedFields: ['assignee', 'assignee', 'constructor'] },
    );
    expect(warningsOf([create(1, {}), second], second)).toEqual([
      modifiedFieldNotInPayloadWarning('assignee'),
      modifiedFieldNotInPayloadWarning('constructor'),
    ]);
    expect(modifiedFieldNotInPayloadWarning('assignee')).toBe(
      'modified_fields names "assignee", which the payload does not carry.',
    );
  });

  it('an update without modified_fields', () => {
    const second = update(2, { a: 1 }, { modifiedFields: null });
    expect(warningsOf([create(1, {}), second], second)).toEqual([MISSING_MODIFIED_FIELDS_WARNING]);
    const withEmpty = update(2, {}, { modifiedFields: [] });
    expect(warningsOf([create(1, {}), withEmpty], withEmpty)).toEqual([]);
  });

  it('an entity_type that differs from earlier events of the id', () => {
    const component = create(1, {}, { entityType: 'component' });
    const task = update(2, { a: 1 }, { entityType: 'task' });
    const taskAgain = update(3, { a: 2 }, { entityType: 'task' });
    const fold = foldEntity([component, task, taskAgain]);
    expect(fold.analysis.get(component.id)?.warnings).toEqual([]);
    expect(fold.analysis.get(task.id)?.warnings).toEqual([entityTypeChangedWarning('task', ['component'])]);
    expect(fold.analysis.get(taskAgain.id)?.warnings).toEqual([
      entityTypeChangedWarning('task', ['component']),
    ]);
    expect(fold.entityType).toBe('task');
    expect(fold.warnings).toEqual([entityTypeChangedWarning('task', ['component'])]);
  });

  it('created again, created after a delete, updated or deleted after a delete', () => {
    const again = create(2, { v: 2 });
    expect(warningsOf([create(1, {}), again], again)).toEqual([CREATED_AGAIN_WARNING]);

    const afterDelete = create(3, {});
    const fold = foldEntity([create(1, {}), del(2), afterDelete]);
    expect(fold.analysis.get(afterDelete.id)?.warnings).toEqual([CREATED_AFTER_DELETE_WARNING]);
    expect(fold.deleted).toBe(false);

    const late = update(3, { name: 'z' });
    const twice = del(4);
    const afterFold = foldEntity([create(1, { name: 'a' }), del(2), late, twice]);
    expect(afterFold.analysis.get(late.id)?.warnings).toEqual([UPDATE_AFTER_DELETE_WARNING]);
    expect(afterFold.analysis.get(twice.id)?.warnings).toEqual([DELETED_AGAIN_WARNING]);
    expect(afterFold).toMatchObject({ deleted: true, state: { id: 'e1', name: 'z' } });
  });

  it('collects the distinct warnings of all events in fold order', () => {
    const fold = foldEntity([
      update(1, { a: 1 }, { modifiedFields: null }),
      update(2, { a: 2 }, { modifiedFields: null }),
      update(3, { a: 3 }, { modifiedFields: ['b'] }),
    ]);
    expect(fold.warnings).toEqual([
      noRetainedCreateWarning('update'),
      MISSING_MODIFIED_FIELDS_WARNING,
      modifiedFieldNotInPayloadWarning('b'),
    ]);
  });
});

describe('stateAt', () => {
  const events = [
    create(1000, { name: 'a' }),
    update(2000, { name: 'b' }),
    del(3000),
    create(4000, { name: 'c' }),
  ];

  it('folds the events at or before the time', () => {
    expect(stateAt(events, 999)).toBeNull();
    expect(stateAt(events, 1000)).toEqual({ state: { id: 'e1', name: 'a' }, deleted: false });
    expect(stateAt(events, 2500)).toEqual({ state: { id: 'e1', name: 'b' }, deleted: false });
    expect(stateAt(events, 3000)).toEqual({ state: { id: 'e1', name: 'b' }, deleted: true });
    expect(stateAt(events, 10_000)).toEqual({ state: { id: 'e1', name: 'c' }, deleted: false });
  });

  it('does not depend on the order of its input and agrees with foldEntity at the end', () => {
    const shuffled = [events[2], events[0], events[3], events[1]] as FoldInput[];
    const fold = foldEntity(shuffled);
    expect(stateAt(shuffled, Number.MAX_SAFE_INTEGER)).toEqual({ state: fold.state, deleted: fold.deleted });
  });
});

describe('extendFold', () => {
  /** Random events of one entity in arrival order; times mostly rising, sometimes late. */
  const histories = fc
    .array(
      fc.record({
        action: fc.constantFrom<FoldInput['action']>('create', 'update', 'update', 'delete'),
        late: fc.boolean(),
        field: fc.constantFrom('a', 'b', 'c'),
        value: fc.integer({ min: 0, max: 2 }),
        deliveryId: fc.option(fc.constantFrom('m1', 'm2', 'm3'), { freq: 3 }),
        entityType: fc.constantFrom('task', 'task', 'task', 'component'),
        modified: fc.boolean(),
      }),
      { minLength: 1, maxLength: 25 },
    )
    .map((steps) =>
      steps.map((step, i): FoldInput => {
        const payload: JsonObject = { [step.field]: step.value };
        return {
          id: `evt${String(i).padStart(4, '0')}`,
          action: step.action,
          entityType: step.entityType,
          entityId: 'e1',
          timeMs: 1_000 * i - (step.late ? 1_500 : 0),
          receivedAtMs: 1_000 * i,
          modifiedFields: step.action === 'update' && step.modified ? [step.field, 'x'] : null,
          payload: step.action === 'create' ? { id: 'e1', ...payload } : payload,
          deliveryId: step.deliveryId,
          raw: JSON.stringify({ action: step.action, payload }),
        };
      }),
    );

  /** Everything a fold shows. */
  const shown = (fold: FoldResult) => ({ ...fold, progress: undefined, analysis: [...fold.analysis] });

  it('equals the full fold whenever it applies, and says when it does not', () => {
    fc.assert(
      fc.property(histories, fc.nat(), (events, at) => {
        const split = 1 + (at % events.length);
        const base = foldEntity(events.slice(0, split));
        const before = structuredClone(shown(base));
        const extended = extendFold(base, events.slice(split));
        const full = foldEntity(events);
        const appendable = events
          .slice(split)
          .every(
            (event) =>
              event.timeMs >= Math.max(...events.slice(0, events.indexOf(event)).map((e) => e.timeMs)),
          );
        if (extended === null) {
          // Only a late event, or a body nobody tracked, makes it refuse.
          const untracked =
            base.progress?.seenBodies === null && events.slice(split).some((e) => e.deliveryId === null);
          expect(!appendable || untracked).toBe(true);
        } else {
          expect(shown(extended)).toEqual(shown(full));
          // What the base showed is untouched (its analysis only gained the new ids).
          expect({ ...shown(base), analysis: shown(base).analysis.slice(0, split) }).toEqual(before);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hands its progress on: a fold extended once must be folded again to be extended differently', () => {
    const events = [create(1000, { a: 1 }), update(2000, { a: 2 }), update(3000, { a: 3 })];
    const base = foldEntity(events.slice(0, 1));
    expect(extendFold(base, events.slice(1, 2))?.state).toEqual({ id: 'e1', a: 2 });
    expect(extendFold(base, events.slice(1))).toBeNull();
    expect(base.state).toEqual({ id: 'e1', a: 1 });
  });
});
