import { jsonEqual, quote } from './json.js';
import type { EventAnalysis, FieldChange, FoldInput, FoldProgress, FoldResult, JsonObject } from './types.js';

/** Warning: the event's `time` is earlier than that of an event of the same entity that arrived before it. */
export const OUT_OF_ORDER_WARNING =
  'Out of order: its time is earlier than the time of an event of this entity received before it.';

/** Warning: an update that does not say which fields it changed. */
export const MISSING_MODIFIED_FIELDS_WARNING =
  'Update without modified_fields: the sender did not say which fields changed.';

/** Warning: a create while the entity exists (created earlier, not deleted since). */
export const CREATED_AGAIN_WARNING =
  'Created again: the entity already existed and was not deleted; its state was replaced by this payload.';

/** Warning: a create after the entity was deleted. */
export const CREATED_AFTER_DELETE_WARNING =
  'Created after a delete: the deleted entity was re-created from this payload.';

/** Warning: an update of a deleted entity. */
export const UPDATE_AFTER_DELETE_WARNING =
  'Update after a delete: the fields were merged into the last state, but the entity stays deleted.';

/** Warning: a delete of an entity that is already deleted. */
export const DELETED_AGAIN_WARNING = 'Deleted again: the entity was already deleted.';

/** Warning: an update or delete with no create of the entity before it in fold order. */
export function noRetainedCreateWarning(action: 'update' | 'delete'): string {
  const what = action === 'update' ? 'Update' : 'Delete';
  return `${what} with no retained create: no create of this entity comes before it (never sent, purged by retention, or its time is later).`;
}

/** Warning: a delivery seen before, by its delivery id (webhook-id, svix-id or X-GitHub-Delivery) or (when it
 * has none) by an identical raw body. */
export function repeatedDeliveryWarning(deliveryId: string | null): string {
  return deliveryId === null
    ? 'Repeated delivery: an identical body (with no delivery id) was already received for this entity.'
    : `Repeated delivery: delivery id ${quote(deliveryId)} was already received for this entity.`;
}

/** Warning: `modified_fields` names a field that the payload does not carry. */
export function modifiedFieldNotInPayloadWarning(field: string): string {
  return `modified_fields names ${quote(field)}, which the payload does not carry.`;
}

/** Warning: the event's `entity_type` differs from earlier events of the same entity id. */
export function entityTypeChangedWarning(entityType: string, earlierTypes: readonly string[]): string {
  return `entity_type ${quote(entityType)} differs from earlier events of this id (${earlierTypes.map((t) => quote(t)).join(', ')}): one id shared by different kinds of entity?`;
}

/** Fold order: event `time`, then arrival (`receivedAtMs`, then event id). */
export function compareFoldOrder(a: FoldInput, b: FoldInput): number {
  return a.timeMs - b.timeMs || compareArrival(a, b);
}

function compareArrival(a: FoldInput, b: FoldInput): number {
  return a.receivedAtMs - b.receivedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Events usually come from the store already in order; checking first skips an O(n log n) sort. */
function sortedCopy(
  events: readonly FoldInput[],
  compare: (a: FoldInput, b: FoldInput) => number,
): FoldInput[] {
  const copy = events.slice();
  for (let i = 1; i < copy.length; i++) {
    if (compare(copy[i - 1] as FoldInput, copy[i] as FoldInput) > 0) return copy.sort(compare);
  }
  return copy;
}

function nullProtoCopy(source: JsonObject): JsonObject {
  const copy: JsonObject = Object.create(null) as JsonObject;
  // Plain assignment is safe on a null-prototype object: there is no inherited `__proto__` setter to hit.
  for (const key of Object.keys(source)) copy[key] = source[key] as JsonObject[string];
  return copy;
}

/** Insertion sort: an event changes a handful of fields, and this avoids Array#sort's per-call overhead. */
function sortByField(changes: FieldChange[]): void {
  for (let i = 1; i < changes.length; i++) {
    const item = changes[i] as FieldChange;
    let j = i - 1;
    while (j >= 0 && (changes[j] as FieldChange).field > item.field) {
      changes[j + 1] = changes[j] as FieldChange;
      j--;
    }
    changes[j + 1] = item;
  }
}

function valueOf(state: JsonObject | null, key: string): JsonObject[string] | undefined {
  return state !== null && Object.hasOwn(state, key) ? state[key] : undefined;
}

/** Finds, in arrival order, the events that are out of order and those that repeat an earlier delivery. */
function scanArrivals(
  events: readonly FoldInput[],
  progress: FoldProgress,
): { outOfOrder: Set<string>; repeated: Map<string, string> } {
  const outOfOrder = new Set<string>();
  const repeated = new Map<string, string>();
  const { seenDeliveryIds, seenBodies } = progress;
  for (const event of sortedCopy(events, compareArrival)) {
    progress.lastArrival = event;
    if (event.timeMs < progress.latestTimeMs) outOfOrder.add(event.id);
    else progress.latestTimeMs = event.timeMs;
    if (event.deliveryId !== null) {
      if (seenDeliveryIds.has(event.deliveryId))
        repeated.set(event.id, repeatedDeliveryWarning(event.deliveryId));
      else seenDeliveryIds.add(event.deliveryId);
    } else if (seenBodies?.has(event.raw)) {
      repeated.set(event.id, repeatedDeliveryWarning(null));
    }
    seenBodies?.add(event.raw);
  }
  return { outOfOrder, repeated };
}

/** Folds `order` (events in fold order, after everything `progress` has seen) into `progress`. */
function foldInto(
  progress: FoldProgress,
  order: readonly FoldInput[],
  arrivals: { outOfOrder: Set<string>; repeated: Map<string, string> },
  analysis: Map<string, EventAnalysis>,
): void {
  const { seenTypes, allWarnings } = progress;
  for (const event of order) {
    const warnings: string[] = [];
    const changes: FieldChange[] = [];
    const state = progress.state;
    switch (event.action) {
      case 'create': {
        if (progress.deleted) warnings.push(CREATED_AFTER_DELETE_WARNING);
        else if (progress.created) warnings.push(CREATED_AGAIN_WARNING);
        const next = nullProtoCopy(event.payload);
        const fields = new Set([...(state === null ? [] : Object.keys(state)), ...Object.keys(next)]);
        for (const field of fields) {
          const before = valueOf(state, field);
          const after = valueOf(next, field);
          if (!jsonEqual(before, after)) changes.push({ field, before, after });
        }
        progress.state = next;
        progress.deleted = false;
        progress.created = true;
        progress.createdAtMs ??= event.timeMs;
        break;
      }
      case 'update': {
        if (!progress.created) warnings.push(noRetainedCreateWarning('update'));
        if (progress.deleted) warnings.push(UPDATE_AFTER_DELETE_WARNING);
        if (event.modifiedFields === null) warnings.push(MISSING_MODIFIED_FIELDS_WARNING);
        const target = (progress.state ??= Object.create(null) as JsonObject);
        // Only the touched fields are compared and written: no per-event copy of the whole state.
        for (const field of Object.keys(event.payload)) {
          const before = valueOf(target, field);
          const after = event.payload[field] as JsonObject[string];
          if (!jsonEqual(before, after)) changes.push({ field, before, after });
          target[field] = after;
        }
        break;
      }
      case 'delete': {
        if (!progress.created) warnings.push(noRetainedCreateWarning('delete'));
        if (progress.deleted) warnings.push(DELETED_AGAIN_WARNING);
        progress.deleted = true;
        break;
      }
      default: {
        const unknown: never = event.action;
        throw new Error(`foldEntity: unknown action ${String(unknown)}`);
      }
    }
    if (changes.length > 1) sortByField(changes);

    // Nearly every entity has one type: compare with it before allocating anything.
    if (seenTypes.length !== 1 || seenTypes[0] !== event.entityType) {
      const earlierTypes = seenTypes.filter((type) => type !== event.entityType);
      if (earlierTypes.length > 0) warnings.push(entityTypeChangedWarning(event.entityType, earlierTypes));
      if (earlierTypes.length === seenTypes.length) seenTypes.push(event.entityType);
    }

    const repeat = arrivals.repeated.get(event.id);
    if (repeat !== undefined) warnings.push(repeat);
    if (arrivals.outOfOrder.has(event.id)) warnings.push(OUT_OF_ORDER_WARNING);
    if (event.modifiedFields !== null) {
      for (const field of event.modifiedFields) {
        if (Object.hasOwn(event.payload, field)) continue;
        const warning = modifiedFieldNotInPayloadWarning(field);
        if (!warnings.includes(warning)) warnings.push(warning);
      }
    }

    for (const warning of warnings) allWarnings.add(warning);
    analysis.set(event.id, { changes, warnings });
  }
}

function checkOneEntity(entityId: string, events: readonly FoldInput[]): void {
  for (const event of events) {
    if (event.entityId !== entityId) {
      throw new Error(`foldEntity: events of two entities (${entityId}, ${event.entityId})`);
    }
  }
}

function result(entityId: string, analysis: Map<string, EventAnalysis>, progress: FoldProgress): FoldResult {
  const folded = progress.folded;
  const version = folded.length;
  const last = folded[version - 1] as FoldInput;
  let order: FoldInput[] | null = null;
  return {
    entityId,
    entityType: last.entityType,
    state: progress.state,
    deleted: progress.deleted,
    complete: progress.created,
    version,
    createdAtMs: progress.createdAtMs,
    updatedAtMs: last.timeMs,
    // Extensions append to `folded` later: this result's events are its first `version`.
    get order() {
      return (order ??= folded.slice(0, version));
    },
    analysis,
    warnings: [...progress.allWarnings],
    progress,
  };
}

/**
 * Folds one entity's events into its state: create replaces the state with (a copy of) the payload, update
 * merges the payload's top-level fields, delete marks it deleted and keeps the last state for inspection.
 * `changes` list the top-level fields whose value differs before/after, sorted by name; a delete changes none.
 * The returned state shares nested values with the payloads: treat it as read-only.
 * Throws on an empty list or on events of different entity ids.
 */
export function foldEntity(events: readonly FoldInput[]): FoldResult {
  const first = events[0];
  if (first === undefined) throw new Error('foldEntity: no events to fold');
  checkOneEntity(first.entityId, events);
  const progress: FoldProgress = {
    state: null,
    deleted: false,
    created: false,
    createdAtMs: null,
    seenTypes: [],
    allWarnings: new Set(),
    latestTimeMs: -Infinity,
    lastArrival: null,
    seenDeliveryIds: new Set(),
    // Bodies only matter for events without a webhook-id; when every event has one, skip hashing them.
    seenBodies: events.some((event) => event.deliveryId === null) ? new Set() : null,
    folded: sortedCopy(events, compareFoldOrder),
  };
  const analysis = new Map<string, EventAnalysis>();
  foldInto(progress, progress.folded, scanArrivals(events, progress), analysis);
  return result(first.entityId, analysis, progress);
}

/**
 * The fold of `folded`'s events plus `added`, computed from where `folded` stopped, in time proportional
 * to `added`: a hot entity's next event does not re-fold its 10,000 earlier ones. Equal to
 * `foldEntity([...folded.order, ...added])`. Returns null when that shortcut does not apply and a full
 * fold is needed: an added event that sorts before an earlier one (by `time` or arrival), an added event
 * without a webhook-id when bodies were not tracked, or a fold already extended (its progress moved on to
 * the extension, which owns it from then on; `folded` itself stays valid to read).
 */
export function extendFold(folded: FoldResult, added: readonly FoldInput[]): FoldResult | null {
  const previous = folded.progress;
  if (previous?.lastArrival == null) return null;
  checkOneEntity(folded.entityId, added);
  const arrivals = sortedCopy(added, compareArrival);
  let prior = previous.lastArrival;
  let latestTimeMs = previous.latestTimeMs;
  for (const event of arrivals) {
    // After every earlier event both by arrival and by time: fold order is then the old order followed
    // by these, and none of them is out of order.
    if (compareArrival(prior, event) >= 0 || event.timeMs < latestTimeMs) return null;
    if (event.deliveryId === null && previous.seenBodies === null) return null;
    prior = event;
    latestTimeMs = event.timeMs;
  }
  // The previous result keeps what it showed: its state object and warning list are not touched.
  folded.progress = null;
  const progress: FoldProgress = {
    ...previous,
    state: previous.state === null ? null : nullProtoCopy(previous.state),
    seenTypes: previous.seenTypes.slice(),
    allWarnings: new Set(previous.allWarnings),
  };
  // Analysis entries are only ever added, for ids the previous result does not hold: shared.
  foldInto(progress, arrivals, scanArrivals(arrivals, progress), folded.analysis);
  // In place: earlier results see only their own first `version` events of it.
  for (const event of arrivals) progress.folded.push(event);
  return result(folded.entityId, folded.analysis, progress);
}

/**
 * The entity as it was at `timeMs` (epoch ms): the fold of the events whose `time` is at or before it.
 * null when no event is that old.
 */
export function stateAt(
  events: readonly FoldInput[],
  timeMs: number,
): { state: JsonObject | null; deleted: boolean } | null {
  let state: JsonObject | null = null;
  let deleted = false;
  let folded = 0;
  for (const event of sortedCopy(events, compareFoldOrder)) {
    if (event.timeMs > timeMs) break;
    folded++;
    if (event.action === 'create') {
      state = nullProtoCopy(event.payload);
      deleted = false;
    } else if (event.action === 'update') {
      state ??= Object.create(null) as JsonObject;
      for (const field of Object.keys(event.payload))
        state[field] = event.payload[field] as JsonObject[string];
    } else {
      deleted = true;
    }
  }
  return folded === 0 ? null : { state, deleted };
}
