import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  createSchemaLearner,
  joinPath,
  missingCreateFieldDrift,
  newFieldDrift,
  newTypeDrift,
  observeFields,
  parsePath,
  SCHEMA_SETTLED_AFTER_EVENTS,
  valueAtPath,
  type LearnableEvent,
} from '../../src/domain/schema-learning.js';
import { toJsonSchema } from '../../src/domain/schema-export.js';
import type { Action, Json, JsonObject } from '../../src/domain/types.js';

let nextId = 0;
const event = (action: Action, entityType = 'order'): LearnableEvent => ({
  id: `e${++nextId}`,
  entityType,
  action,
  receivedAtMs: 1_000_000 + nextId,
});

describe('field paths', () => {
  it('names nested keys with dots and array elements with []', () => {
    const seen = observeFields({ id: 'o1', owner: { name: 'Ada' }, tags: ['a', 'b'], items: [{ sku: 1 }] });
    expect([...seen.keys()]).toEqual([
      'id',
      'owner',
      'owner.name',
      'tags',
      'tags[]',
      'items',
      'items[]',
      'items[].sku',
    ]);
    expect(seen.get('tags[]')).toEqual({ string: 2 });
  });

  it('escapes keys that contain path syntax, and parses every path back', () => {
    expect([...observeFields({ 'a.b': { '[x]': 1 } }).keys()]).toEqual(['a\\.b', 'a\\.b.\\[x\\]']);
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(
          fc.oneof(
            fc.string().map((key) => ({ key })),
            fc.constant({ array: true as const }),
          ),
        ),
        (first, rest) => {
          const segments = [{ key: first }, ...rest];
          expect(parsePath(joinPath(segments))).toEqual(segments);
        },
      ),
    );
  });

  it('finds the first value at a path', () => {
    expect(valueAtPath({ items: [{ sku: 7 }, { sku: 8 }] }, 'items[].sku')).toBe(7);
    expect(valueAtPath({ items: [] }, 'items[]')).toBeUndefined();
  });
});

describe('the learner', () => {
  it('counts presence per action and types per value', () => {
    const learner = createSchemaLearner();
    learner.observe(event('create'), { id: '1', total: 5, note: 'x' });
    learner.observe(event('create'), { id: '2', total: 5.5 });
    learner.observe(event('update'), { id: '1', note: null });
    const create = learner.shapes().find((s) => s.action === 'create');
    expect(create?.eventCount).toBe(2);
    expect(create?.fields.get('total')).toMatchObject({ presentCount: 2, types: { number: 2 } });
    expect(create?.fields.get('note')).toMatchObject({ presentCount: 1 });
    const update = learner.shapes().find((s) => s.action === 'update');
    expect(update?.fields.get('note')?.types).toEqual({ null: 1 });
  });

  it('reports a new field only once the shape has settled', () => {
    const learner = createSchemaLearner();
    for (let i = 0; i < SCHEMA_SETTLED_AFTER_EVENTS - 1; i++) {
      expect(learner.observe(event('create'), { id: String(i), ...(i === 3 ? { early: 1 } : {}) })).toEqual(
        [],
      );
    }
    learner.observe(event('update'), { id: '0' });
    expect(learner.observe(event('update'), { id: '0', late: true })).toEqual([
      newFieldDrift('order', 'late'),
    ]);
    // Learned now: the next one is no drift; another entity type knows nothing of it.
    expect(learner.observe(event('update'), { id: '0', late: false })).toEqual([]);
    expect(learner.observe(event('create', 'user'), { id: 'u', late: false })).toEqual([]);
  });

  it('reports a new JSON type from the second sighting on', () => {
    const learner = createSchemaLearner();
    learner.observe(event('create'), { id: '1', total: 5 });
    expect(learner.observe(event('update'), { id: '1', total: '5' })).toEqual([
      newTypeDrift('total', 'string', ['number']),
    ]);
  });

  it('reports the outermost field every earlier create carried', () => {
    const learner = createSchemaLearner();
    for (let i = 0; i < SCHEMA_SETTLED_AFTER_EVENTS; i++) {
      learner.observe(event('create'), { id: String(i), owner: { name: 'Ada' }, total: i });
    }
    expect(learner.observe(event('create'), { id: 'x', total: 1 })).toEqual([
      missingCreateFieldDrift('owner', SCHEMA_SETTLED_AFTER_EVENTS),
    ]);
    // An update may leave it out.
    expect(learner.observe(event('update'), { id: 'x' })).toEqual([]);
  });

  it('continues from persisted shapes exactly as if it had never stopped', () => {
    const payloads: JsonObject[] = Array.from({ length: 30 }, (_, i) => ({
      id: String(i),
      n: i % 3 ? i : 'x',
    }));
    const once = createSchemaLearner();
    const first = payloads.map((p) => once.observe(event('create'), p));
    const halves = createSchemaLearner();
    const second = payloads.slice(0, 15).map((p) => halves.observe(event('create'), p));
    const resumed = createSchemaLearner(halves.shapes());
    second.push(...payloads.slice(15).map((p) => resumed.observe(event('create'), p)));
    expect(second).toEqual(first);
  });
});

const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd.e'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('the JSON Schema export', () => {
  it('is a valid 2020-12 schema that every learned payload validates against', () => {
    const ajv = new Ajv2020({ strict: false });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            action: fc.constantFrom<Action>('create', 'update', 'delete'),
            payload: fc.dictionary(fc.constantFrom('id', 'x', 'y', 'z'), jsonValue, { maxKeys: 4 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (events) => {
          const learner = createSchemaLearner();
          for (const e of events) learner.observe(event(e.action, 'thing'), e.payload);
          const shapes = learner.shapes().map((s) => ({ ...s, fields: [...s.fields.values()] }));
          const schema = toJsonSchema('thing', shapes);
          const validate = ajv.compile(schema);
          for (const e of events) {
            const body = { action: e.action, entity_type: 'thing', payload: e.payload };
            expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
