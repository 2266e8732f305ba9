import { foldEntity, stateAt } from './events/fold.js';
import type { FieldChange, FoldInput, FoldResult, Json, JsonObject } from './events/types.js';
import type { StoredEvent, Store } from './store/types.js';

/** The parsed body of a stored event (the raw bytes are the source of truth; this is a view of them). */
export function parseBody(event: StoredEvent): JsonObject {
  return JSON.parse(event.raw.toString('utf8')) as JsonObject;
}

/** The payload object of a stored event. */
export function payloadOf(event: StoredEvent): JsonObject {
  return parseBody(event).payload as JsonObject;
}

/** An event's changes as both APIs show them: JSON has no "absent", so an absent value is null. */
export function changesForApi(
  changes: readonly FieldChange[],
): { field: string; before: Json; after: Json }[] {
  return changes.map((change) => ({
    field: change.field,
    before: change.before ?? null,
    after: change.after ?? null,
  }));
}

function toFoldInput(event: StoredEvent, payload: JsonObject): FoldInput {
  return {
    id: event.id,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    timeMs: event.timeMs,
    receivedAtMs: event.receivedAtMs,
    modifiedFields: event.modifiedFields,
    payload,
    deliveryId: event.deliveryId,
    raw: event.raw.toString('utf8'),
  };
}

/** An entity's fold with the stored events it was made from. */
export interface FoldedEntity {
  fold: FoldResult;
  /** By event id. */
  events: ReadonlyMap<string, StoredEvent>;
}

interface CacheEntry extends FoldedEntity {
  count: number;
  lastId: string | null;
  /** The events folded, in arrival order. */
  arrivals: StoredEvent[];
  inputs: Map<string, FoldInput>;
}

/** Entities kept folded in memory, most recently used last. */
export const FOLD_CACHE_ENTITIES = 2_000;

/** Reads entities: folds their retained events, caching each fold while it stays exact. */
export interface EntityReader {
  /** The fold of an entity's retained events, or null when none is retained. */
  fold(entityId: string, cutoffMs: number): Promise<FoldedEntity | null>;
  /** The state as of `timeMs`, or null when no retained event is that old. */
  stateAt(entityId: string, timeMs: number, cutoffMs: number): Promise<ReturnType<typeof stateAt>>;
}

/** Creates an {@link EntityReader} over a store. */
export function createEntityReader(store: Store): EntityReader {
  const cache = new Map<string, CacheEntry>();

  /**
   * A stale entry's events brought up to date by reading only what arrived after its last event: a hot
   * entity (a new event every second, 10,000 retained) would otherwise re-read every row at each change,
   * ~100-200 ms of scattered row reads. Retention only removes the oldest, so the kept events are the
   * cached ones still inside the cut-off. The result is checked against the store's fingerprint; anything
   * else (an eviction, a clock that went back) falls back to reading them all.
   */
  async function refreshed(
    entityId: string,
    cached: CacheEntry,
    version: { count: number; lastId: string | null },
    cutoffMs: number,
  ): Promise<StoredEvent[]> {
    const kept = cached.arrivals.filter((event) => event.receivedAtMs >= cutoffMs);
    const last = cached.arrivals.at(-1);
    const added = last
      ? await store.entityEvents(entityId, cutoffMs, { atMs: last.receivedAtMs, id: last.id })
      : [];
    const events = kept.concat(added);
    const lastId = events.reduce<string | null>(
      (max, event) => (max === null || event.id > max ? event.id : max),
      null,
    );
    if (events.length === version.count && lastId === version.lastId) return events;
    return store.entityEvents(entityId, cutoffMs);
  }

  async function fold(entityId: string, cutoffMs: number): Promise<FoldedEntity | null> {
    const version = await store.entityVersion(entityId, cutoffMs);
    if (version.count === 0) {
      cache.delete(entityId);
      return null;
    }
    const cached = cache.get(entityId);
    if (cached && cached.count === version.count && cached.lastId === version.lastId) {
      cache.delete(entityId);
      cache.set(entityId, cached);
      return cached;
    }
    const events = cached
      ? await refreshed(entityId, cached, version, cutoffMs)
      : await store.entityEvents(entityId, cutoffMs);
    // Reuse parsed payloads of events already folded: a new event should not re-parse 10,000 old ones.
    const inputs = new Map<string, FoldInput>();
    for (const event of events) {
      inputs.set(event.id, cached?.inputs.get(event.id) ?? toFoldInput(event, payloadOf(event)));
    }
    const entry: CacheEntry = {
      count: events.length,
      lastId: version.lastId,
      arrivals: events,
      fold: foldEntity([...inputs.values()]),
      events: new Map(events.map((event) => [event.id, event])),
      inputs,
    };
    cache.delete(entityId);
    cache.set(entityId, entry);
    if (cache.size > FOLD_CACHE_ENTITIES) cache.delete(cache.keys().next().value as string);
    return entry;
  }

  return {
    fold,
    async stateAt(entityId, timeMs, cutoffMs) {
      const folded = await fold(entityId, cutoffMs);
      return folded ? stateAt(folded.fold.order, timeMs) : null;
    },
  };
}
