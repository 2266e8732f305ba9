import type { Action, JsonObject } from './types.js';
import { parentPath, parsePath, type FieldShape, type JsonType } from './schema-learning.js';

/** The meta-schema every exported schema names in `$schema`. */
export const JSON_SCHEMA_DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/** What the export needs of a learned field. */
export type FieldOutline = Pick<FieldShape, 'path' | 'types'>;

/** What the export needs of a learned (entity type, action). */
export interface ActionOutline {
  action: Action;
  eventCount: number;
  fields: readonly FieldOutline[];
}

/** A JSON Schema node (a JSON object). */
type SchemaNode = JsonObject;

/** A field under its parent: `key` is its object key, null for the elements of an array. */
interface Child {
  key: string | null;
  field: FieldOutline;
}

/** How many values were seen at a field, of every type (every element of an array counts). */
const occurrences = (field: FieldOutline): number =>
  Object.values(field.types).reduce((sum, n) => sum + (n ?? 0), 0);

/** The fields of one action by their parent path (null for the payload's own keys). */
function childrenByParent(shape: ActionOutline): Map<string | null, Child[]> {
  const children = new Map<string | null, Child[]>();
  for (const field of shape.fields) {
    const last = parsePath(field.path).at(-1);
    const parent = parentPath(field.path);
    const list = children.get(parent) ?? [];
    list.push({ key: last && 'key' in last ? last.key : null, field });
    children.set(parent, list);
  }
  return children;
}

/** An object node: its learned keys, `required` = those every object seen there carried. */
function objectNode(children: Map<string | null, Child[]>, parent: string | null, objectsSeen: number) {
  const properties: SchemaNode = {};
  const required: string[] = [];
  for (const { key, field } of children.get(parent) ?? []) {
    if (key === null) continue;
    properties[key] = fieldNode(children, field);
    // Each object holds a key once, so the values seen at a key count the objects that carried it.
    if (occurrences(field) === objectsSeen) required.push(key);
  }
  const node: SchemaNode = { properties };
  if (required.length > 0) node.required = required;
  return node;
}

function fieldNode(children: Map<string | null, Child[]>, field: FieldOutline): SchemaNode {
  const types = (Object.keys(field.types) as JsonType[]).sort();
  const node: SchemaNode = types.length === 1 ? { type: types[0] as string } : { type: types };
  if (field.types.object) Object.assign(node, objectNode(children, field.path, field.types.object));
  if (field.types.array) {
    const items = (children.get(field.path) ?? []).find((child) => child.key === null);
    if (items) node.items = fieldNode(children, items.field);
  }
  return node;
}

/** The payload schema of one action: `required` lists the fields present in every event of it. */
export function payloadSchema(shape: ActionOutline): SchemaNode {
  return { type: 'object', ...objectNode(childrenByParent(shape), null, shape.eventCount) };
}

/**
 * A JSON Schema (draft 2020-12) of the webhook bodies of one entity type, from its learned shapes: the
 * body's `entity_type` and `action`, and the payload of each action under `$defs/<action>` (selected by
 * `if`/`then` on the action). Types are those seen; no `additionalProperties`, since a field first seen
 * tomorrow is drift to look at, not an invalid event.
 */
export function toJsonSchema(entityType: string, shapes: readonly ActionOutline[]): JsonObject {
  const actions: Action[] = shapes.map((shape) => shape.action);
  const defs: SchemaNode = {};
  for (const shape of shapes) defs[shape.action] = payloadSchema(shape);
  const total = shapes.reduce((sum, shape) => sum + shape.eventCount, 0);
  return {
    $schema: JSON_SCHEMA_DRAFT_2020_12,
    title: `${entityType} webhook events`,
    description: `Learned by hookscope from ${total} ${entityType} events (${actions.join(', ')}).`,
    type: 'object',
    required: ['action', 'entity_type', 'payload'],
    properties: {
      entity_type: { const: entityType },
      action: { enum: actions },
      payload: { type: 'object' },
    },
    allOf: shapes.map((shape) => ({
      if: { properties: { action: { const: shape.action } }, required: ['action'] },
      then: { properties: { payload: { $ref: `#/$defs/${shape.action}` } } },
    })),
    $defs: defs,
  };
}
