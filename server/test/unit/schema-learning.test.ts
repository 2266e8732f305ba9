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
  MAX_LEARNED_FIELDS_PER_ENTITY_TYPE,
  SCHEMA_BUCKET_MS,
  SCHEMA_SETTLED_AFTER_EVENTS,
  valueAtPath,
  type ActionShape,
  type LearnableEvent,
  type SchemaLearner,
  type SeenBucket,
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

// The compiled walk (a path tree per shape) must learn exactly what the reference walk learns: the same
// drift per event, in the same order, and the same shapes, fields, type counts and buckets, in the same
// order (the stored rows and the Schemas view keep the order first seen).
describe('the compiled walk', () => {
  /** Shapes and buckets as plain data, every order kept (maps and objects as entry lists). */
  const shapesData = (shapes: ActionShape[]) =>
    shapes.map((shape) => ({
      ...shape,
      fields: [...shape.fields.values()].map((field) => ({ ...field, types: Object.entries(field.types) })),
    }));
  const bucketsData = (buckets: SeenBucket[]) =>
    buckets.map((bucket) => ({ ...bucket, counts: [...bucket.counts.entries()] }));
  const changesData = (learner: SchemaLearner) => {
    const { shapes, buckets } = learner.takeChanges();
    return { shapes: shapesData(shapes), buckets: bucketsData(buckets) };
  };
  /** A deep copy of a learner's state, as a store would load it. */
  const copyShapes = (shapes: ActionShape[]): ActionShape[] =>
    shapes.map((shape) => ({
      ...shape,
      fields: new Map(
        [...shape.fields].map(([path, field]) => [path, { ...field, types: { ...field.types } }]),
      ),
    }));
  const copyBuckets = (buckets: SeenBucket[]): SeenBucket[] =>
    buckets.map((bucket) => ({ ...bucket, counts: new Map(bucket.counts) }));

  interface Step {
    entityType: string;
    action: Action;
    gapMs: number;
    payload: JsonObject;
    takeChanges: boolean;
  }

  /** Runs `steps` through a compiled and a reference learner from the same state; both must agree. */
  function agree(steps: Step[], walks: { compiled: number; reference: number }, prefix = 0): void {
    let atMs = 5 * SCHEMA_BUCKET_MS;
    const events = steps.map((step, i) => {
      atMs += step.gapMs;
      return { id: `w${i}`, entityType: step.entityType, action: step.action, receivedAtMs: atMs };
    });
    // The first `prefix` events are learned before, as if by an earlier process whose rows are loaded.
    const before = createSchemaLearner([], [], { compiledWalk: false });
    for (let i = 0; i < prefix; i++) before.observe(events[i] as LearnableEvent, steps[i]?.payload ?? {});
    const { buckets } = before.takeChanges();
    const compiled = createSchemaLearner(copyShapes(before.shapes()), copyBuckets(buckets), { walks });
    const reference = createSchemaLearner(copyShapes(before.shapes()), copyBuckets(buckets), {
      compiledWalk: false,
    });
    for (let i = prefix; i < steps.length; i++) {
      const step = steps[i] as Step;
      const e = events[i] as LearnableEvent;
      // Each learner gets its own copy: neither may depend on the other's objects.
      const fast = compiled.observe(e, structuredClone(step.payload));
      const slow = reference.observe(e, structuredClone(step.payload));
      expect(fast).toEqual(slow);
      if (step.takeChanges) expect(changesData(compiled)).toEqual(changesData(reference));
    }
    expect(changesData(compiled)).toEqual(changesData(reference));
    expect(shapesData(compiled.shapes())).toEqual(shapesData(reference.shapes()));
  }

  // Payloads drawn from a few templates with variations, so that shapes repeat (the compiled walk's
  // case) and also drift: keys go missing, come new, change type, arrays grow and empty.
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom('', 'x', 'y.z'),
  );
  const step = (templates: JsonObject[]): fc.Arbitrary<Step> =>
    fc.record({
      entityType: fc.constantFrom('order', 'user'),
      action: fc.constantFrom<Action>('create', 'create', 'update', 'delete'),
      gapMs: fc.oneof(fc.constant(1), fc.constant(SCHEMA_BUCKET_MS), fc.integer({ min: 0, max: 600_000 })),
      payload: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...templates) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom(...templates), fc.constantFrom('id', 'a', 'b', 'tags', 'n.e', 'new'), leaf)
            .map(([template, key, value]) => ({ ...template, [key]: value })),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom(...templates), fc.constantFrom('id', 'a', 'b', 'tags'))
            .map(([template, key]) =>
              Object.fromEntries(Object.entries(template).filter(([k]) => k !== key)),
            ),
        },
        {
          weight: 1,
          arbitrary: fc.dictionary(fc.constantFrom('id', 'a', 'b', 'c', 'd.e'), jsonValue, { maxKeys: 4 }),
        },
      ),
      takeChanges: fc.boolean(),
    });
  const template: fc.Arbitrary<JsonObject> = fc.record(
    {
      id: fc.string({ maxLength: 3 }),
      a: jsonValue,
      b: fc.dictionary(fc.constantFrom('x', 'y', '[z]'), jsonValue, { maxKeys: 3 }),
      tags: fc.array(leaf, { maxLength: 3 }),
    },
    { requiredKeys: ['id'] },
  );

  it('learns what the reference walk learns, event by event, for random payloads', () => {
    const walks = { compiled: 0, reference: 0 };
    fc.assert(
      fc.property(
        fc
          .array(template, { minLength: 1, maxLength: 3 })
          .chain((templates) =>
            fc.tuple(
              fc.array(step(templates), { minLength: 1, maxLength: 80, size: 'max' }),
              fc.nat({ max: 30 }),
            ),
          ),
        ([steps, prefix]) => agree(steps, walks, Math.min(prefix, steps.length)),
      ),
      { numRuns: 300 },
    );
    // Not vacuous: thousands of events took each walk.
    expect(walks.compiled).toBeGreaterThan(1_000);
    expect(walks.reference).toBeGreaterThan(1_000);
  });

  it('walks a repeated shape compiled and still reports its drift', () => {
    const walks = { compiled: 0, reference: 0 };
    const same = { id: 'o1', owner: { name: 'Ada', tags: ['a', 'b'] }, total: 5 };
    const steps: Step[] = Array.from({ length: 40 }, () => ({
      entityType: 'order',
      action: 'create',
      gapMs: 1,
      payload: same,
      takeChanges: false,
    }));
    steps.push(
      {
        entityType: 'order',
        action: 'create',
        gapMs: 1,
        payload: { id: 'o2', total: 5 },
        takeChanges: false,
      },
      {
        entityType: 'order',
        action: 'create',
        gapMs: 1,
        payload: { ...same, total: '5' },
        takeChanges: false,
      },
      { entityType: 'order', action: 'create', gapMs: 1, payload: { ...same, extra: 1 }, takeChanges: false },
    );
    agree(steps, walks);
    // The first event of the shape teaches (reference walk); the other 39 identical ones walk compiled.
    expect(walks).toEqual({ compiled: 39, reference: 4 });
  });

  it('learns the same beyond the cap on learned fields', () => {
    const wide = (from: number): JsonObject =>
      Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${from + i}`, i]));
    const steps: Step[] = [0, 0, 300, 600, 900, 900, 0, 1200, 1200].map((from) => ({
      entityType: 'order',
      action: 'update',
      gapMs: 1,
      payload: wide(from),
      takeChanges: false,
    }));
    agree(steps, { compiled: 0, reference: 0 });
    const learner = createSchemaLearner();
    for (const s of steps) learner.observe(event('update'), s.payload);
    expect(learner.shapes()[0]?.fields.size).toBe(MAX_LEARNED_FIELDS_PER_ENTITY_TYPE);
  });
});
