import { isJsonObject, quote } from './json.js';
import type { Action, Json, JsonObject } from './types.js';

// Learned schemas: the shape of the payloads each entity type sends, per action, learned event by event
// in arrival order, and the drift of a new event against the shape learned before it.
//
// Field paths name a place in the payload: object keys joined by `.`, and `[]` for "every element of
// the array" (`owner.name`, `tags[]`, `items[].sku`). A `.`, `[`, `]` or `\` inside a key is escaped
// with a backslash (`a\.b` is the one key "a.b"). See docs/events.md, "Learned schemas and drift".

/** Events of an entity type after which its shape counts as settled: new fields and missing create
 * fields are drift only from then on (before it, every event still teaches). */
export const SCHEMA_SETTLED_AFTER_EVENTS = 20;

/** Field paths learned per entity type at most: a sender that invents keys cannot grow the state without
 * bound (paths beyond it are not learned and keep being reported as new). */
export const MAX_LEARNED_FIELDS_PER_ENTITY_TYPE = 1_000;

/** The width of a bucket of the "when was each field seen" series. */
export const SCHEMA_BUCKET_MS = 3_600_000;

/** The JSON types a value can have (JSON Schema's names, integers counted as `number`). */
export const JSON_TYPES = ['null', 'boolean', 'number', 'string', 'array', 'object'] as const;
/** One of {@link JSON_TYPES}. */
export type JsonType = (typeof JSON_TYPES)[number];

/** How many values of each JSON type were seen at a path (every element of an array counts). */
export type TypeCounts = Partial<Record<JsonType, number>>;

/** What was learned about one field path of one (entity type, action). Times are epoch ms. */
export interface FieldShape {
  path: string;
  types: TypeCounts;
  /** Events (of this entity type and action) that carried the path at least once. */
  presentCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** The latest event that carried the path: its value there is the field's example while retained. */
  exampleEventId: string;
}

/** What was learned about one (entity type, action). */
export interface ActionShape {
  entityType: string;
  action: Action;
  eventCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** By path, in the order first seen. */
  fields: Map<string, FieldShape>;
}

/** Events that carried each path within one bucket of {@link SCHEMA_BUCKET_MS}. */
export interface SeenBucket {
  entityType: string;
  action: Action;
  /** Start of the bucket (epoch ms, a multiple of {@link SCHEMA_BUCKET_MS}). */
  startMs: number;
  counts: Map<string, number>;
}

/** The facts of an event the learner looks at (its payload is given beside). */
export interface LearnableEvent {
  id: string;
  entityType: string;
  action: Action;
  receivedAtMs: number;
}

/** A path's segments: keys, and `[]` for array elements (the first is always a key). */
export type PathSegment = { key: string } | { array: true };

const PATH_SYNTAX = /[.[\]\\]/;
// Tested first: almost no key needs escaping, and the test is cheaper than a replace (the commit's hot path).
const escapeKey = (key: string): string =>
  PATH_SYNTAX.test(key) ? key.replace(/[.[\]\\]/g, (c) => `\\${c}`) : key;

/** The path of a key under `parent` ('' = the payload itself). */
export function childPath(parent: string | null, key: string): string {
  return parent === null ? escapeKey(key) : `${parent}.${escapeKey(key)}`;
}

/** The path of the elements of the array at `parent`. */
export const elementPath = (parent: string): string => `${parent}[]`;

/** Splits a path made by {@link childPath} / {@link elementPath} back into its segments. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const readKey = (): void => {
    let key = '';
    while (i < path.length && path[i] !== '.' && path[i] !== '[') {
      if (path[i] === '\\' && i + 1 < path.length) i += 1;
      key += path[i];
      i += 1;
    }
    segments.push({ key });
  };
  readKey();
  while (i < path.length) {
    if (path[i] === '.') {
      i += 1;
      readKey();
    } else if (path.startsWith('[]', i)) {
      i += 2;
      segments.push({ array: true });
    } else {
      throw new Error(`not a field path: ${quote(path)} (position ${i})`);
    }
  }
  return segments;
}

/** The JSON type of a parsed value. */
export function jsonTypeOf(value: Json): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/** Every (path, value) of a payload, depth first, objects before their keys, arrays before their elements. */
export function forEachField(payload: JsonObject, visit: (path: string, value: Json) => void): void {
  const walk = (path: string, value: Json): void => {
    visit(path, value);
    if (Array.isArray(value)) {
      const inner = elementPath(path);
      for (const element of value) walk(inner, element);
    } else if (isJsonObject(value)) {
      for (const key of Object.keys(value)) walk(childPath(path, key), value[key] as Json);
    }
  };
  for (const key of Object.keys(payload)) walk(childPath(null, key), payload[key] as Json);
}

/** The first value at `path` in the payload (for `[]` paths, the first element there), or undefined. */
export function valueAtPath(payload: JsonObject, path: string): Json | undefined {
  let found: Json | undefined;
  let done = false;
  forEachField(payload, (p, value) => {
    if (!done && p === path) {
      found = value;
      done = true;
    }
  });
  return found;
}

/** The types seen at each path of one payload, with how many values of each. */
export function observeFields(payload: JsonObject): Map<string, TypeCounts> {
  const seen = new Map<string, TypeCounts>();
  forEachField(payload, (path, value) => {
    const type = jsonTypeOf(value);
    let types = seen.get(path);
    if (!types) {
      types = {};
      seen.set(path, types);
    }
    types[type] = (types[type] ?? 0) + 1;
  });
  return seen;
}

/** Drift: a field never seen before for the entity type, once its shape has settled. */
export function newFieldDrift(entityType: string, path: string): string {
  return `Schema drift: new field ${quote(path)}, never seen in ${quote(entityType)} events before.`;
}

/** Drift: a field arriving with a JSON type it never had before (for this entity type). */
export function newTypeDrift(path: string, type: JsonType, before: readonly JsonType[]): string {
  return `Schema drift: field ${quote(path)} arrived as ${type}, seen before only as ${before.join(', ')}.`;
}

/** Drift: a create without a field that every earlier create carried. */
export function missingCreateFieldDrift(path: string, creates: number): string {
  return `Schema drift: field ${quote(path)} is missing, though all ${creates} earlier creates carried it.`;
}

/** What the learner knows of an entity type across its actions (derived from the action shapes). */
interface EntityKnowledge {
  eventCount: number;
  types: Map<string, Set<JsonType>>;
}

/** What the learner holds per (entity type, action). */
interface ActionState {
  shape: ActionShape | undefined;
  /** The bucket being filled. */
  bucket: SeenBucket | undefined;
  /** The shape's path tree (the compiled walk), made on its first event. */
  tree: ShapeTree | null;
}

/** What the learner holds per entity type. */
interface EntityState {
  known: EntityKnowledge;
  actions: Partial<Record<Action, ActionState>>;
}

/** The learner: its state, and the shapes and buckets an observation changed since the last `takeChanges`. */
export interface SchemaLearner {
  /**
   * Learns one event's payload and returns its drift warnings, judged against the shape learned from
   * the events observed before it (empty when none).
   */
  observe(event: LearnableEvent, payload: JsonObject): string[];
  /** The shapes and buckets changed since the last call (to persist), and forgets that they changed. */
  takeChanges(): { shapes: ActionShape[]; buckets: SeenBucket[] };
  /** Every learned shape (for tests and reads of the state in memory). */
  shapes(): ActionShape[];
}

const shapeKey = (entityType: string, action: Action): string => `${action}\u0000${entityType}`;

/** The path text of `segments` (the inverse of {@link parsePath}). */
export function joinPath(segments: readonly PathSegment[]): string {
  let text = '';
  segments.forEach((segment, i) => {
    if ('array' in segment) text += '[]';
    else text = i === 0 ? escapeKey(segment.key) : `${text}.${escapeKey(segment.key)}`;
  });
  return text;
}

/** The nearest enclosing path of `path` (null at the top). */
export function parentPath(path: string): string | null {
  const segments = parsePath(path);
  return segments.length === 1 ? null : joinPath(segments.slice(0, -1));
}

// The compiled walk (the learner's fast path). Most events of a (entity type, action) carry a shape
// already learned: the same keys, of types already seen. For those the walk above rebuilds every path
// string and a map of type counts only to find nothing new. A tree of the paths learned per shape, one
// node per path holding its text and its field, lets such a payload be walked by key lookups alone,
// counting types in the nodes. Whenever the walk meets anything the tree cannot vouch for (a key or
// type not learned in this shape, a create missing a field every create carried), the event takes the
// walk above instead, so what is learned and every drift warning are the same either way
// (server/test/unit/schema-learning.test.ts runs random payloads through both).

/** Bits of {@link JSON_TYPES}, by index. */
const TYPE_BITS = JSON_TYPES.map((_, i) => 1 << i);

/** The index in {@link JSON_TYPES} of a value's type, decided as {@link jsonTypeOf} does. */
function jsonTypeIndex(value: Json): number {
  if (value === null) return 0;
  if (Array.isArray(value)) return 4;
  switch (typeof value) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'string':
      return 3;
    default:
      return 5;
  }
}

/** One path of a shape's tree. */
interface PathNode {
  path: string;
  /** The nodes of its keys (when it held an object), created on first sight. */
  keys: Map<string, PathNode> | null;
  /** The node of its elements (when it held a non-empty array). */
  element: PathNode | null;
  /** The shape's field at this path, once learned there (until then the path always takes the slow walk). */
  field: FieldShape | undefined;
  /** Bits of the types `field.types` names (a subset of them: they only grow; refreshed on a miss). */
  fieldTypes: number;
  /** The walk that visited it last; the counts below are that walk's. */
  visitedBy: number;
  /** Bits of the types seen at the path in that walk. */
  seenTypes: number;
  /** The type index of the first value seen there in that walk (most paths have one type). */
  firstType: number;
  /** Values seen per type index in that walk (valid where `seenTypes` has the bit). */
  counts: number[];
}

/** Paths per shape tree at most: a sender that invents keys makes the slow walk's events, not memory. */
const MAX_TREE_NODES = 2 * MAX_LEARNED_FIELDS_PER_ENTITY_TYPE;

/** The path tree of one shape, and what its last walk visited. */
interface ShapeTree {
  top: Map<string, PathNode>;
  nodes: number;
  walk: number;
  /** The nodes the last walk visited, each once, in the order first visited (the slow walk's order). */
  visited: PathNode[];
}

const newNode = (path: string): PathNode => ({
  path,
  keys: null,
  element: null,
  field: undefined,
  fieldTypes: 0,
  visitedBy: 0,
  seenTypes: 0,
  firstType: 0,
  counts: [0, 0, 0, 0, 0, 0],
});

function maskOfTypes(types: TypeCounts): number {
  let mask = 0;
  for (const type of Object.keys(types)) {
    const index = JSON_TYPES.indexOf(type as JsonType);
    if (index >= 0) mask |= TYPE_BITS[index] ?? 0;
  }
  return mask;
}

/**
 * Walks `payload` through `tree` in {@link forEachField}'s order, counting each path's types in its node
 * and listing the nodes in `tree.visited`. New paths get nodes (false: one was new, or the tree is full).
 */
function walkTree(tree: ShapeTree, payload: JsonObject): boolean {
  tree.walk += 1;
  tree.visited.length = 0;
  const walk = tree.walk;
  const visited = tree.visited;
  let known = true;
  const child = (children: Map<string, PathNode>, parent: string | null, key: string): PathNode | null => {
    let node = children.get(key);
    if (node === undefined) {
      known = false;
      if (tree.nodes >= MAX_TREE_NODES) return null;
      node = newNode(childPath(parent, key));
      children.set(key, node);
      tree.nodes += 1;
    }
    return node;
  };
  const visit = (node: PathNode, value: Json): boolean => {
    const type = jsonTypeIndex(value);
    const bit = TYPE_BITS[type] ?? 0;
    if (node.visitedBy !== walk) {
      node.visitedBy = walk;
      node.seenTypes = bit;
      node.firstType = type;
      node.counts[type] = 1;
      visited.push(node);
    } else if ((node.seenTypes & bit) === 0) {
      node.seenTypes |= bit;
      node.counts[type] = 1;
    } else {
      node.counts[type] = (node.counts[type] ?? 0) + 1;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return true;
      let element = node.element;
      if (element === null) {
        known = false;
        if (tree.nodes >= MAX_TREE_NODES) return false;
        element = newNode(elementPath(node.path));
        node.element = element;
        tree.nodes += 1;
      }
      for (const item of value) if (!visit(element, item)) return false;
    } else if (isJsonObject(value)) {
      node.keys ??= new Map();
      for (const key of Object.keys(value)) {
        const next = child(node.keys, node.path, key);
        if (next === null || !visit(next, value[key] as Json)) return false;
      }
    }
    return true;
  };
  for (const key of Object.keys(payload)) {
    const next = child(tree.top, null, key);
    if (next === null || !visit(next, payload[key] as Json)) return false;
  }
  return known;
}

/** Options of {@link createSchemaLearner}. */
export interface SchemaLearnerOptions {
  /**
   * Whether payloads of a shape already learned take the compiled walk (default true). Off, every event
   * takes the reference walk: for tests that the two learn the same.
   */
  compiledWalk?: boolean;
  /** Counted into, when given: the events each walk learned (tests, to see the compiled walk is taken). */
  walks?: { compiled: number; reference: number };
}

/**
 * Creates a learner that continues from `shapes` (as persisted) and, for each (entity type, action), the
 * bucket being filled (`buckets`: the latest bucket of each, so a restart in the middle of an hour adds
 * to it instead of replacing it).
 */
export function createSchemaLearner(
  shapes: readonly ActionShape[] = [],
  buckets: readonly SeenBucket[] = [],
  options: SchemaLearnerOptions = {},
): SchemaLearner {
  const compiledWalk = options.compiledWalk ?? true;
  const walks = options.walks;
  // Every shape in the order first learned (for `shapes()`).
  const byKey = new Map<string, ActionShape>();
  const entities = new Map<string, EntityState>();
  const changedShapes = new Set<ActionShape>();
  const changedBuckets = new Set<SeenBucket>();

  const entityOf = (entityType: string): EntityState => {
    let entity = entities.get(entityType);
    if (!entity) {
      entity = { known: { eventCount: 0, types: new Map() }, actions: {} };
      entities.set(entityType, entity);
    }
    return entity;
  };
  const actionOf = (entity: EntityState, action: Action): ActionState =>
    (entity.actions[action] ??= { shape: undefined, bucket: undefined, tree: null });
  const learnTypes = (known: EntityKnowledge, path: string, types: Iterable<JsonType>): void => {
    let set = known.types.get(path);
    if (!set) {
      set = new Set();
      known.types.set(path, set);
    }
    for (const type of types) set.add(type);
  };

  for (const shape of shapes) {
    byKey.set(shapeKey(shape.entityType, shape.action), shape);
    const entity = entityOf(shape.entityType);
    actionOf(entity, shape.action).shape = shape;
    const known = entity.known;
    known.eventCount += shape.eventCount;
    for (const field of shape.fields.values()) {
      learnTypes(known, field.path, Object.keys(field.types) as JsonType[]);
    }
  }
  for (const bucket of buckets) {
    const state = actionOf(entityOf(bucket.entityType), bucket.action);
    if (!state.bucket || state.bucket.startMs < bucket.startMs) state.bucket = bucket;
  }

  function judge(
    event: LearnableEvent,
    seen: Map<string, TypeCounts>,
    known: EntityKnowledge,
    creates: ActionShape | undefined,
  ): string[] {
    const drift: string[] = [];
    const settled = known.eventCount >= SCHEMA_SETTLED_AFTER_EVENTS;
    for (const [path, types] of seen) {
      const before = known.types.get(path);
      if (!before) {
        if (settled) drift.push(newFieldDrift(event.entityType, path));
        continue;
      }
      for (const type of Object.keys(types) as JsonType[]) {
        if (!before.has(type)) drift.push(newTypeDrift(path, type, [...before]));
      }
    }
    if (event.action === 'create' && settled && creates && creates.eventCount > 0) {
      const always = new Set<string>();
      for (const field of creates.fields.values()) {
        if (field.presentCount === creates.eventCount) always.add(field.path);
      }
      for (const path of always) {
        if (seen.has(path)) continue;
        // Only the outermost missing field: a missing `owner` needs no word about `owner.name`.
        const parent = parentPath(path);
        if (parent !== null && always.has(parent) && !seen.has(parent)) continue;
        drift.push(missingCreateFieldDrift(path, creates.eventCount));
      }
    }
    return drift;
  }

  function bucketFor(state: ActionState, event: LearnableEvent): SeenBucket {
    const startMs = Math.floor(event.receivedAtMs / SCHEMA_BUCKET_MS) * SCHEMA_BUCKET_MS;
    let bucket = state.bucket;
    if (!bucket || bucket.startMs !== startMs) {
      bucket = { entityType: event.entityType, action: event.action, startMs, counts: new Map() };
      state.bucket = bucket;
    }
    return bucket;
  }

  /** The reference walk: every path built and judged (the slow path, and the definition of both). */
  function observeSlowly(
    event: LearnableEvent,
    payload: JsonObject,
    entity: EntityState,
    state: ActionState,
  ): string[] {
    const seen = observeFields(payload);
    const known = entity.known;
    const drift = judge(event, seen, known, entity.actions.create?.shape);

    let shape = state.shape;
    if (!shape) {
      shape = {
        entityType: event.entityType,
        action: event.action,
        eventCount: 0,
        firstSeenMs: event.receivedAtMs,
        lastSeenMs: event.receivedAtMs,
        fields: new Map(),
      };
      byKey.set(shapeKey(event.entityType, event.action), shape);
      state.shape = shape;
    }
    shape.eventCount += 1;
    shape.lastSeenMs = event.receivedAtMs;
    known.eventCount += 1;
    const bucket = bucketFor(state, event);
    for (const [path, types] of seen) {
      let field = shape.fields.get(path);
      if (!field) {
        if (!known.types.has(path) && known.types.size >= MAX_LEARNED_FIELDS_PER_ENTITY_TYPE) continue;
        field = {
          path,
          types: {},
          presentCount: 0,
          firstSeenMs: event.receivedAtMs,
          lastSeenMs: event.receivedAtMs,
          exampleEventId: event.id,
        };
        shape.fields.set(path, field);
      }
      for (const type of Object.keys(types) as JsonType[]) {
        field.types[type] = (field.types[type] ?? 0) + (types[type] ?? 0);
      }
      field.presentCount += 1;
      field.lastSeenMs = event.receivedAtMs;
      field.exampleEventId = event.id;
      learnTypes(known, path, Object.keys(types) as JsonType[]);
      bucket.counts.set(path, (bucket.counts.get(path) ?? 0) + 1);
    }
    changedShapes.add(shape);
    changedBuckets.add(bucket);
    return drift;
  }

  const treeOf = (state: ActionState): ShapeTree =>
    (state.tree ??= { top: new Map(), nodes: 0, walk: 0, visited: [] });

  /**
   * Whether the event `tree` just walked (every path a node) can be learned from its nodes: each path
   * learned in this shape with each of its types, and (a create, once settled) every field that every
   * earlier create carried present. Then the reference walk would find no drift and add no field or type.
   */
  function learnsNothingNew(tree: ShapeTree, shape: ActionShape, known: EntityKnowledge): boolean {
    let alwaysPresent = 0;
    for (const node of tree.visited) {
      const field = node.field;
      if (field === undefined) return false;
      if ((node.seenTypes & ~node.fieldTypes) !== 0) {
        node.fieldTypes = maskOfTypes(field.types);
        if ((node.seenTypes & ~node.fieldTypes) !== 0) return false;
      }
      if (field.presentCount === shape.eventCount) alwaysPresent += 1;
    }
    if (
      shape.action !== 'create' ||
      known.eventCount < SCHEMA_SETTLED_AFTER_EVENTS ||
      shape.eventCount === 0
    ) {
      return true;
    }
    let always = 0;
    for (const field of shape.fields.values()) if (field.presentCount === shape.eventCount) always += 1;
    return always === alwaysPresent;
  }

  /** Learns the event `tree` just walked from its nodes (when {@link learnsNothingNew}). */
  function learnFromTree(
    event: LearnableEvent,
    tree: ShapeTree,
    shape: ActionShape,
    known: EntityKnowledge,
    state: ActionState,
  ): void {
    shape.eventCount += 1;
    shape.lastSeenMs = event.receivedAtMs;
    known.eventCount += 1;
    const bucket = bucketFor(state, event);
    for (const node of tree.visited) {
      const field = node.field as FieldShape;
      if (node.seenTypes === TYPE_BITS[node.firstType]) {
        const name = JSON_TYPES[node.firstType] as JsonType;
        field.types[name] = (field.types[name] ?? 0) + (node.counts[node.firstType] ?? 0);
      } else {
        for (let type = 0; type < JSON_TYPES.length; type++) {
          if ((node.seenTypes & (TYPE_BITS[type] ?? 0)) === 0) continue;
          const name = JSON_TYPES[type] as JsonType;
          field.types[name] = (field.types[name] ?? 0) + (node.counts[type] ?? 0);
        }
      }
      field.presentCount += 1;
      field.lastSeenMs = event.receivedAtMs;
      field.exampleEventId = event.id;
      bucket.counts.set(node.path, (bucket.counts.get(node.path) ?? 0) + 1);
    }
    changedShapes.add(shape);
    changedBuckets.add(bucket);
  }

  return {
    observe(event, payload) {
      const entity = entityOf(event.entityType);
      const state = actionOf(entity, event.action);
      const learned = compiledWalk ? state.shape : undefined;
      if (learned) {
        const tree = treeOf(state);
        if (walkTree(tree, payload) && learnsNothingNew(tree, learned, entity.known)) {
          learnFromTree(event, tree, learned, entity.known, state);
          if (walks) walks.compiled += 1;
          return [];
        }
      }
      const drift = observeSlowly(event, payload, entity, state);
      if (walks) walks.reference += 1;
      if (compiledWalk) {
        // The tree learns the fields this event taught (from its next event on, they walk fast).
        const shape = state.shape as ActionShape;
        const tree = treeOf(state);
        if (!learned) walkTree(tree, payload);
        for (const node of tree.visited) {
          node.field = shape.fields.get(node.path);
          node.fieldTypes = node.field ? maskOfTypes(node.field.types) : 0;
        }
      }
      return drift;
    },
    takeChanges() {
      const changes = { shapes: [...changedShapes], buckets: [...changedBuckets] };
      changedShapes.clear();
      changedBuckets.clear();
      return changes;
    },
    shapes: () => [...byKey.values()],
  };
}
