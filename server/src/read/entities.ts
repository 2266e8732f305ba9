import { extendFold, foldEntity, stateAt } from '../domain/fold.js';
import type { FieldChange, FoldInput, FoldResult, Json, JsonObject } from '../domain/types.js';
import type { EntityBounds, EventReader, StoredEvent } from '../store/types.js';

// Decodes as the intake does (domain/validate.ts): a leading byte order mark, which the intake accepts and
// JSON.parse does not, is dropped by the decoder itself.
const utf8 = new TextDecoder('utf-8');

/** The parsed body of a stored event (the raw bytes are the source of truth; this is a view of them). */
export function parseBody(event: StoredEvent): JsonObject {
  return JSON.parse(utf8.decode(event.raw)) as JsonObject;
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
  /** The events folded, in arrival order: their first and last are the entry's fingerprint. */
  arrivals: StoredEvent[];
  /** Parsed inputs by event id (only ever added to while the entry is extended). */
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
  /**
   * Drops the cached folds of entities that lost events to a delete (null: every entity), which the
   * fingerprint cannot see when the events went from the middle. Call it after the delete commits and
   * before it is acknowledged: the next fold reads the store again.
   */
  forget(entityIds: readonly string[] | null): void;
}

/** Creates an {@link EntityReader} over a store. */
export function createEntityReader(store: Pick<EventReader, 'entityBounds' | 'entityEvents'>): EntityReader {
  const cache = new Map<string, CacheEntry>();
  // Bumped by every `forget`: a fold that was reading while a delete committed may hold events read
  // before it, so it answers but does not cache what it made.
  let generation = 0;

  function remember(entityId: string, entry: CacheEntry, startedAt: number): CacheEntry {
    if (startedAt !== generation) return entry;
    cache.delete(entityId);
    cache.set(entityId, entry);
    if (cache.size > FOLD_CACHE_ENTITIES) cache.delete(cache.keys().next().value as string);
    return entry;
  }

  /** Folds `arrivals` from scratch, reusing the parsed payloads of `reuse`. */
  function foldAll(arrivals: StoredEvent[], reuse: Map<string, FoldInput> | undefined): CacheEntry {
    const inputs = new Map<string, FoldInput>();
    for (const event of arrivals) {
      inputs.set(event.id, reuse?.get(event.id) ?? toFoldInput(event, payloadOf(event)));
    }
    return {
      arrivals,
      inputs,
      fold: foldEntity([...inputs.values()]),
      events: new Map(arrivals.map((event) => [event.id, event])),
    };
  }

  /**
   * A stale entry brought up to date by reading only what arrived after its last event, and, when
   * nothing expired, folding only that on top (`extendFold`): a hot entity with 10,000 retained events
   * would otherwise re-read them (~150-250 ms of scattered rows) and re-fold them at every change.
   * Retention and eviction only remove an entity's oldest events, and arrivals only append (the intake's
   * clock never goes back), so kept + added is exact when its ends match the store's; otherwise (a
   * cut-off that moved back, say) it reads everything again.
   */
  async function refreshed(
    entityId: string,
    cached: CacheEntry,
    bounds: EntityBounds,
    cutoffMs: number,
  ): Promise<CacheEntry> {
    const last = cached.arrivals.at(-1) as StoredEvent;
    const added = await store.entityEvents(entityId, cutoffMs, { atMs: last.receivedAtMs, id: last.id });
    const firstKept = cached.arrivals.findIndex((event) => event.receivedAtMs >= cutoffMs);
    const kept = firstKept <= 0 ? cached.arrivals : cached.arrivals.slice(firstKept);
    const arrivals = firstKept === -1 ? added : kept.concat(added);
    if (arrivals[0]?.id !== bounds.firstId || arrivals.at(-1)?.id !== bounds.lastId) {
      return foldAll(await store.entityEvents(entityId, cutoffMs), cached.inputs);
    }
    if (firstKept === 0) {
      const addedInputs = added.map((event) => toFoldInput(event, payloadOf(event)));
      const extended = extendFold(cached.fold, addedInputs);
      if (extended) {
        // The maps only gain ids the older entry never looks up: shared, not copied.
        const events = cached.events as Map<string, StoredEvent>;
        addedInputs.forEach((input, i) => {
          cached.inputs.set(input.id, input);
          events.set(input.id, added[i] as StoredEvent);
        });
        return { arrivals, inputs: cached.inputs, fold: extended, events };
      }
    }
    return foldAll(arrivals, cached.inputs);
  }

  async function fold(entityId: string, cutoffMs: number): Promise<FoldedEntity | null> {
    const startedAt = generation;
    const bounds = await store.entityBounds(entityId, cutoffMs);
    if (bounds.lastId === null) {
      cache.delete(entityId);
      return null;
    }
    const cached = cache.get(entityId);
    if (!cached) {
      return remember(entityId, foldAll(await store.entityEvents(entityId, cutoffMs), undefined), startedAt);
    }
    if (cached.arrivals[0]?.id === bounds.firstId && cached.arrivals.at(-1)?.id === bounds.lastId) {
      return remember(entityId, cached, startedAt);
    }
    return remember(entityId, await refreshed(entityId, cached, bounds, cutoffMs), startedAt);
  }

  return {
    fold,
    forget(entityIds) {
      generation += 1;
      if (entityIds === null) cache.clear();
      else for (const id of entityIds) cache.delete(id);
    },
    async stateAt(entityId, timeMs, cutoffMs) {
      const folded = await fold(entityId, cutoffMs);
      return folded ? stateAt(folded.fold.order, timeMs) : null;
    },
  };
}
