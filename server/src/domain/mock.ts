import type { Json, JsonObject } from './types.js';

/** A source of uniform numbers in [0, 1), like Math.random. */
export type Random = () => number;

/** mulberry32: a tiny seeded PRNG, plenty for mock data and fully deterministic for a given seed. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A UUID v4-looking id drawn from `random` (seeded random gives repeatable ids). */
export function mockUuid(random: Random): string {
  let out = '';
  for (let i = 0; i < 32; i++) {
    let digit = Math.floor(random() * 16);
    if (i === 12) digit = 4; // version nibble
    if (i === 16) digit = 8 + (digit & 3); // RFC 4122 variant
    out += HEX[digit];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
}

/** A `webhook-id`-style delivery id (`msg_` + 24 base62 characters), as Standard Webhooks senders use. */
export function mockDeliveryId(random: Random): string {
  let out = 'msg_';
  for (let i = 0; i < 24; i++) out += BASE62[Math.floor(random() * 62)];
  return out;
}

/** A deterministic stream of realistic webhook bodies; see {@link createMockGenerator}. */
export interface MockGenerator {
  /** The next webhook body (passes `parseWebhookBody`). */
  next(): JsonObject;
  /** A delivery id from the same seeded stream (unique within one generator, repeatable across runs). */
  nextDeliveryId(): string;
}

type Fields = Record<string, Json>;

interface EntityKind {
  type: string;
  /** A fresh entity's fields (without id). */
  create(r: Picker): Fields;
  /** New values for some fields, given the current ones; only keys whose value changes count as modified. */
  update(r: Picker, current: Fields): Fields;
}

class Picker {
  constructor(readonly random: Random) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
  uuid(): string {
    return mockUuid(this.random);
  }
  date(): string {
    return `2026-${String(this.int(1, 12)).padStart(2, '0')}-${String(this.int(1, 28)).padStart(2, '0')}`;
  }
  words(count: number): string {
    return Array.from({ length: count }, () => this.pick(WORDS)).join(' ');
  }
}

const WORDS = [
  'hero',
  'forest',
  'night',
  'lighting',
  'castle',
  'dragon',
  'wide',
  'shot',
  'rig',
  'texture',
  'river',
  'storm',
  'crowd',
  'city',
  'interior',
  'final',
  'layout',
  'matte',
  'ship',
  'sunrise',
] as const;
const TASK_STATUSES = ['not_started', 'in_progress', 'pending_review', 'approved', 'on_hold'] as const;
const TASK_TYPES = ['modeling', 'rigging', 'animation', 'lighting', 'compositing', 'layout'] as const;
const FILE_TYPES = ['jpeg', 'png', 'exr', 'mov', 'mp4', 'pdf', 'abc'] as const;
const REVIEW_STATUSES = ['pending', 'approved', 'requires_changes', 'rejected'] as const;
const PROJECT_STATUSES = ['active', 'on_hold', 'completed', 'archived'] as const;
const NOTE_CATEGORIES = ['internal', 'client', 'review', 'director'] as const;

/** Keeps picking until the value differs, so an update's modified_fields are honest. */
function changed(current: Json | undefined, make: () => Json): Json {
  for (let attempt = 0; attempt < 8; attempt++) {
    const value = make();
    if (value !== current) return value;
  }
  return typeof current === 'number' ? current + 1 : `${String(current)} (edited)`;
}

function updateSome(r: Picker, current: Fields, makers: Record<string, () => Json>): Fields {
  const names = Object.keys(makers);
  const count = r.int(1, Math.min(3, names.length));
  const out: Fields = {};
  for (let i = 0; i < count; i++) {
    const name = r.pick(names);
    out[name] = changed(current[name], makers[name] as () => Json);
  }
  return out;
}

const KINDS: readonly EntityKind[] = [
  {
    type: 'task',
    create: (r) => ({
      name: `${r.pick(TASK_TYPES)} ${r.words(2)}`,
      type: r.pick(TASK_TYPES),
      status: 'not_started',
      assignee_id: r.uuid(),
      priority: r.int(1, 5),
      due_date: r.date(),
      bid_hours: r.int(1, 40),
    }),
    update: (r, current) =>
      updateSome(r, current, {
        status: () => r.pick(TASK_STATUSES),
        assignee_id: () => r.uuid(),
        priority: () => r.int(1, 5),
        due_date: () => r.date(),
        bid_hours: () => r.int(1, 40),
      }),
  },
  {
    type: 'component',
    create: (r) => {
      const fileType = r.pick(FILE_TYPES);
      return {
        name: `${r.words(2).replace(' ', '_')}.${fileType}`,
        file_type: fileType,
        size_bytes: r.int(10_000, 500_000_000),
        version_id: r.uuid(),
      };
    },
    update: (r, current) =>
      updateSome(r, current, {
        name: () => `${r.words(2).replace(' ', '_')}.${String(current['file_type'])}`,
        size_bytes: () => r.int(10_000, 500_000_000),
      }),
  },
  {
    type: 'asset_version',
    create: (r) => ({
      asset_id: r.uuid(),
      version: r.int(1, 3),
      status: 'pending',
      comment: `first pass on ${r.words(2)}`,
      user_id: r.uuid(),
      is_published: false,
    }),
    update: (r, current) =>
      updateSome(r, current, {
        version: () => (typeof current['version'] === 'number' ? current['version'] + 1 : 1),
        status: () => r.pick(REVIEW_STATUSES),
        comment: () => `${r.pick(['fixed', 'tweaked', 'updated', 'cleaned up'])} ${r.words(2)}`,
        is_published: () => current['is_published'] !== true,
      }),
  },
  {
    type: 'note',
    create: (r) => ({
      content: `Please check the ${r.words(3)}.`,
      author_id: r.uuid(),
      parent_id: r.uuid(),
      category: r.pick(NOTE_CATEGORIES),
      is_todo: r.chance(0.5),
    }),
    update: (r, current) =>
      updateSome(r, current, {
        content: () => `Updated: the ${r.words(3)} needs another look.`,
        category: () => r.pick(NOTE_CATEGORIES),
        is_todo: () => current['is_todo'] !== true,
      }),
  },
  {
    type: 'project',
    create: (r) => {
      const name = r.words(2);
      return {
        name: name.replace(' ', '_'),
        full_name: name.replace(/\b\w/g, (c) => c.toUpperCase()),
        status: 'active',
        start_date: r.date(),
        end_date: r.date(),
        lead_id: r.uuid(),
      };
    },
    update: (r, current) =>
      updateSome(r, current, {
        status: () => r.pick(PROJECT_STATUSES),
        end_date: () => r.date(),
        lead_id: () => r.uuid(),
        full_name: () => `${String(current['full_name'])} ${r.pick(['II', 'Redux', 'Season 2'])}`,
      }),
  },
];

interface LiveEntity {
  id: string;
  kind: EntityKind;
  fields: Fields;
  updatesLeft: number;
  deletes: boolean;
}

const MAX_LIVE_ENTITIES = 6;

/**
 * A seeded generator of webhook bodies telling interleaved life stories: each entity is created
 * (id in `payload.id`), updated a few times (top-level `id`, `modified_fields` = exactly the payload keys whose
 * value changed) and sometimes deleted (top-level `id`, small payload). `time` is `now()` as RFC 3339.
 * Same seed, same sequence (given the same clock).
 */
export function createMockGenerator(opts: { seed: number; now: () => number }): MockGenerator {
  const r = new Picker(createRandom(opts.seed));
  // A separate stream, so asking for delivery ids does not change the sequence of bodies.
  const deliveryRandom = createRandom(opts.seed ^ 0x9e3779b9);
  const live: LiveEntity[] = [];

  const startEntity = (): JsonObject => {
    const kind = r.pick(KINDS);
    const entity: LiveEntity = {
      id: r.uuid(),
      kind,
      fields: kind.create(r),
      updatesLeft: r.int(1, 5),
      deletes: r.chance(0.3),
    };
    live.push(entity);
    return body('create', kind.type, { id: entity.id, ...entity.fields });
  };

  const body = (
    action: string,
    entityType: string,
    payload: JsonObject,
    extra: JsonObject = {},
  ): JsonObject => ({
    action,
    entity_type: entityType,
    time: new Date(opts.now()).toISOString(),
    ...extra,
    payload,
  });

  return {
    next() {
      if (live.length === 0 || (live.length < MAX_LIVE_ENTITIES && r.chance(0.35))) return startEntity();
      const index = r.int(0, live.length - 1);
      const entity = live[index] as LiveEntity;
      if (entity.updatesLeft === 0) {
        live.splice(index, 1);
        if (!entity.deletes) return startEntity();
        const small: JsonObject = { id: entity.id };
        if (typeof entity.fields['name'] === 'string') small['name'] = entity.fields['name'];
        return body('delete', entity.kind.type, small, { id: entity.id });
      }
      entity.updatesLeft--;
      const changes = entity.kind.update(r, entity.fields);
      const modified = Object.keys(changes);
      for (const field of modified) entity.fields[field] = changes[field] as Json;
      // Like real senders, sometimes repeat the (unchanged) name for context: it is not a modified field.
      const payload: JsonObject =
        typeof entity.fields['name'] === 'string' && !modified.includes('name') && r.chance(0.4)
          ? { name: entity.fields['name'], ...changes }
          : { ...changes };
      return body('update', entity.kind.type, payload, { id: entity.id, modified_fields: modified });
    },
    nextDeliveryId() {
      return mockDeliveryId(deliveryRandom);
    },
  };
}
