import { extendFold, foldEntity, stateAt } from '../domain/fold.js';
import type { CommittedEvent, DeleteReport } from '../domain/records.js';
import type { EventAnalysis, FieldChange, FoldInput, FoldResult, Json, JsonObject } from '../domain/types.js';
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

// The same decoding with a leading byte order mark kept: the text that repeated-delivery detection compares
// is the body as received, as `Buffer#toString` gives it.
const utf8AsReceived = new TextDecoder('utf-8', { ignoreBOM: true });

/** A stored event as the fold reads it: its body decoded once, for the payload and for the body compared. */
function readFoldInput(event: StoredEvent): FoldInput {
  const text = utf8AsReceived.decode(event.raw);
  const body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as JsonObject;
  return toFoldInput(event, body.payload as JsonObject, text);
}

function toFoldInput(event: StoredEvent, payload: JsonObject, raw = event.raw.toString('utf8')): FoldInput {
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
    raw,
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
  /**
   * The `epoch` in which the entry was last known to hold exactly the entity's retained events (a read
   * that matched the store, or this process's own commits applied in order). Only an entry of the
   * current epoch is extended by a commit; an older one is brought up to date by a read first.
   */
  exactIn: number;
}

/** One fold reading the store: a commit of its entity applied meanwhile means it may have read too early. */
interface Reading {
  entityId: string;
  overtaken: boolean;
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
  /**
   * This process's own commits, in commit order (call right after each commit, before it is published):
   * a cached fold whose last event is exactly the entity's previous one is extended with them, an entity
   * with no earlier retained event is folded from them alone, and each such event's `changes` and
   * `warnings` are kept for {@link EntityReader.analysisOf}. Anything else (an entry not cached or not
   * known exact) drops the entry: the next fold reads. Applied in batches (one fold extension per entity
   * per turn), but before any other call of this reader answers.
   */
  apply(committed: readonly CommittedEvent[], cutoffMs: number): void;
  /**
   * An event this process did not commit reached the committed stream (another replica's, or its own
   * read back by the tailer): no cached entry may be extended by a commit until a read has checked it.
   * (Another replica's commit may also have evicted events of any entity, so this applies to all.)
   */
  observeForeign(): void;
  /**
   * Runs a delete of this process (`run` commits it and answers what it removed). While it runs,
   * commits are not folded and reads do not cache: its steps commit between other commits. After it,
   * before this answers, the entries of the entities that lost events drop those events (folded again
   * from memory when the report lists them, else dropped): the next commit still needs no read.
   */
  deleting(run: () => Promise<DeleteReport>): Promise<DeleteReport>;
  /** The stored-events cap evicted every event received before `beforeMs` (and maybe some at it). */
  evicted(beforeMs: number): void;
  /**
   * The `changes` and fold `warnings` of an event object that {@link EntityReader.apply} folded, as of its
   * commit; undefined for any other object (an event read from the store): the caller folds.
   */
  analysisOf(event: StoredEvent): EventAnalysis | undefined;
}

/** Options of {@link createEntityReader}. */
export interface EntityReaderOptions {
  /**
   * Whether commits are folded as they are applied (default: always). The composition root folds them
   * only while someone is subscribed live: with nobody to deliver to, a commit only marks its entity's
   * entry for the read path, which brings it up to date when it is next read.
   */
  writeThrough?: () => boolean;
}

const NOT_EXACT = -1;

/** Creates an {@link EntityReader} over a store. */
export function createEntityReader(
  store: Pick<EventReader, 'entityBounds' | 'entityEvents'>,
  options: EntityReaderOptions = {},
): EntityReader {
  const writeThrough = options.writeThrough ?? (() => true);
  const cache = new Map<string, CacheEntry>();
  // Bumped by every `forget` and eviction: a fold that was reading while a delete committed may hold
  // events read before it, so it answers but does not cache what it made.
  let generation = 0;
  // Bumped by every foreign event (observeForeign): entries of an older epoch are not extended by commits.
  let epoch = 0;
  // Every event received at or before it may have been evicted: never folded from a commit.
  let evictedThroughMs = Number.NEGATIVE_INFINITY;
  const readings = new Map<string, Set<Reading>>();
  const analyses = new WeakMap<StoredEvent, EventAnalysis>();
  let pending: { committed: CommittedEvent; cutoffMs: number }[] = [];
  let deletesUnderWay = 0;

  function remember(entityId: string, entry: CacheEntry, startedAt: number, reading: Reading): CacheEntry {
    if (startedAt !== generation || reading.overtaken) return entry;
    cache.delete(entityId);
    cache.set(entityId, entry);
    if (cache.size > FOLD_CACHE_ENTITIES) cache.delete(cache.keys().next().value as string);
    return entry;
  }

  /** Folds `arrivals` from scratch, reusing the parsed payloads of `reuse`. */
  function foldAll(
    arrivals: StoredEvent[],
    reuse: Map<string, FoldInput> | undefined,
    exactIn: number,
  ): CacheEntry {
    const inputs = new Map<string, FoldInput>();
    for (const event of arrivals) {
      inputs.set(event.id, reuse?.get(event.id) ?? readFoldInput(event));
    }
    return {
      arrivals,
      inputs,
      fold: foldEntity([...inputs.values()]),
      events: new Map(arrivals.map((event) => [event.id, event])),
      exactIn,
    };
  }

  /** The entry without its events received before the cut-off (null: none left); refolded, no read. */
  function withoutExpired(entry: CacheEntry, cutoffMs: number): CacheEntry | null {
    const firstKept = entry.arrivals.findIndex((event) => event.receivedAtMs >= cutoffMs);
    if (firstKept === 0) return entry;
    if (firstKept === -1) return null;
    return foldAll(entry.arrivals.slice(firstKept), entry.inputs, entry.exactIn);
  }

  /**
   * Extends or starts the entity's entry with its own commits of one batch (in commit order), keeping
   * each event's analysis. Exact because the entry held exactly the retained events up to the entity's
   * previous one, which each commit names (`previousReceivedAtMs`) and this process applied in order.
   */
  function applyToEntity(entityId: string, batch: { committed: CommittedEvent; cutoffMs: number }[]): void {
    for (const reading of readings.get(entityId) ?? []) reading.overtaken = true;
    const cutoffMs = (batch.at(-1) as { cutoffMs: number }).cutoffMs;
    let entry = cache.get(entityId) ?? null;
    // Events the entry holds already: a read under way when they committed saw them.
    let start = 0;
    while (
      start < batch.length &&
      entry?.events.has((batch[start] as { committed: CommittedEvent }).committed.event.id)
    ) {
      const { event } = (batch[start] as { committed: CommittedEvent }).committed;
      const analysis = entry.fold.analysis.get(event.id);
      if (analysis) analyses.set(event, analysis);
      start++;
    }
    const added = batch.slice(start).map((item) => item.committed);
    if (added.length === 0) return;
    // Not extended: the entry stays for the read path, which checks it against the store and reads
    // only what is new (commits only append; what goes from the front is cut-off or cap, checked too).
    const drop = (): void => {
      const cached = cache.get(entityId);
      if (cached) cached.exactIn = NOT_EXACT;
    };
    if (!writeThrough() || deletesUnderWay > 0) return drop();
    if (entry !== null && entry.exactIn !== epoch) entry = null;
    if (entry !== null) entry = withoutExpired(entry, cutoffMs);
    // Each commit must follow the one before it: the entry's last event, then each added one.
    let previousMs: number | null = entry?.arrivals.at(-1)?.receivedAtMs ?? null;
    for (const { event, previousReceivedAtMs } of added) {
      if (event.receivedAtMs <= evictedThroughMs) return drop();
      if (previousReceivedAtMs === undefined) {
        // The store does not say: only an entry known exact (in this epoch) can be extended.
        if (previousMs === null) return drop();
      } else if (previousMs === null) {
        if (previousReceivedAtMs !== null && previousReceivedAtMs >= cutoffMs) return drop();
      } else if (previousReceivedAtMs !== previousMs) {
        return drop();
      }
      previousMs = event.receivedAtMs;
    }
    const inputs = added.map(({ event, payload }) => toFoldInput(event, payload));
    let next: CacheEntry;
    if (entry === null) {
      // The entity had no retained event before these: their fold is the whole fold.
      const arrivals = added.map(({ event }) => event);
      next = {
        arrivals,
        inputs: new Map(inputs.map((input) => [input.id, input])),
        fold: foldEntity(inputs),
        events: new Map(arrivals.map((event) => [event.id, event])),
        exactIn: epoch,
      };
    } else {
      const extended = extendFold(entry.fold, inputs);
      const events = entry.events as Map<string, StoredEvent>;
      // The maps only gain ids the older entry never looks up: shared, not copied.
      inputs.forEach((input, i) => {
        entry.inputs.set(input.id, input);
        events.set(input.id, (added[i] as CommittedEvent).event);
      });
      if (extended) {
        // Appended in place: a hot entity's entry is not copied per commit (a read under way copies it).
        for (const { event } of added) entry.arrivals.push(event);
        next = { arrivals: entry.arrivals, inputs: entry.inputs, fold: extended, events, exactIn: epoch };
      } else {
        next = foldAll(entry.arrivals.concat(added.map(({ event }) => event)), entry.inputs, epoch);
      }
    }
    for (const { event } of added) {
      const analysis = next.fold.analysis.get(event.id);
      if (analysis) analyses.set(event, analysis);
    }
    cache.delete(entityId);
    cache.set(entityId, next);
    if (cache.size > FOLD_CACHE_ENTITIES) cache.delete(cache.keys().next().value as string);
  }

  /** Drops a delete's events from the entries of the entities that lost some (refolded, no read). */
  function withoutDeleted(report: DeleteReport): void {
    if (report.entityIds === null) return cache.clear();
    const gone = report.eventIds === null ? null : new Set(report.eventIds);
    for (const id of report.entityIds) {
      const entry = cache.get(id);
      if (!entry) continue;
      const kept = gone === null ? [] : entry.arrivals.filter((event) => !gone.has(event.id));
      if (kept.length === entry.arrivals.length) continue;
      if (kept.length === 0) cache.delete(id);
      else cache.set(id, foldAll(kept, entry.inputs, entry.exactIn));
    }
  }

  /** Applies the commits handed since the last call, grouped by entity (entities fold independently). */
  function flush(): void {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const byEntity = new Map<string, { committed: CommittedEvent; cutoffMs: number }[]>();
    for (const item of batch) {
      const id = item.committed.event.entityId;
      const list = byEntity.get(id);
      if (list) list.push(item);
      else byEntity.set(id, [item]);
    }
    for (const [entityId, items] of byEntity) applyToEntity(entityId, items);
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
    exactIn: number,
  ): Promise<CacheEntry> {
    // A copy: commits applied while this reads append to the entry's own array.
    const known = cached.arrivals.slice();
    const last = known.at(-1) as StoredEvent;
    const added = await store.entityEvents(entityId, cutoffMs, { atMs: last.receivedAtMs, id: last.id });
    const firstKept = known.findIndex((event) => event.receivedAtMs >= cutoffMs);
    const kept = firstKept <= 0 ? known : known.slice(firstKept);
    const arrivals = firstKept === -1 ? added : kept.concat(added);
    if (arrivals[0]?.id !== bounds.firstId || arrivals.at(-1)?.id !== bounds.lastId) {
      return foldAll(await store.entityEvents(entityId, cutoffMs), cached.inputs, exactIn);
    }
    if (firstKept === 0) {
      const addedInputs = added.map(readFoldInput);
      const extended = extendFold(cached.fold, addedInputs);
      if (extended) {
        // The maps only gain ids the older entry never looks up: shared, not copied.
        const events = cached.events as Map<string, StoredEvent>;
        addedInputs.forEach((input, i) => {
          cached.inputs.set(input.id, input);
          events.set(input.id, added[i] as StoredEvent);
        });
        return { arrivals, inputs: cached.inputs, fold: extended, events, exactIn };
      }
    }
    return foldAll(arrivals, cached.inputs, exactIn);
  }

  async function fold(entityId: string, cutoffMs: number): Promise<FoldedEntity | null> {
    flush();
    const startedAt = generation;
    // An entry made from this read is exact as of the epoch it started in, if no commit overtook it.
    const exactIn = epoch;
    const reading: Reading = { entityId, overtaken: false };
    const open = readings.get(entityId) ?? new Set<Reading>();
    readings.set(entityId, open);
    open.add(reading);
    try {
      return await foldRead(entityId, cutoffMs, startedAt, exactIn, reading);
    } finally {
      open.delete(reading);
      if (open.size === 0 && readings.get(entityId) === open) readings.delete(entityId);
    }
  }

  async function foldRead(
    entityId: string,
    cutoffMs: number,
    startedAt: number,
    exactIn: number,
    reading: Reading,
  ): Promise<FoldedEntity | null> {
    const bounds = await store.entityBounds(entityId, cutoffMs);
    flush();
    if (bounds.lastId === null) {
      if (!reading.overtaken) cache.delete(entityId);
      return null;
    }
    const cached = cache.get(entityId);
    if (!cached) {
      const entry = foldAll(await store.entityEvents(entityId, cutoffMs), undefined, exactIn);
      flush();
      return remember(entityId, entry, startedAt, reading);
    }
    if (cached.arrivals[0]?.id === bounds.firstId && cached.arrivals.at(-1)?.id === bounds.lastId) {
      // The store agrees with the entry: exact again, whatever epoch it was made in.
      if (!reading.overtaken && startedAt === generation) cached.exactIn = Math.max(cached.exactIn, exactIn);
      return remember(entityId, cached, startedAt, reading);
    }
    const entry = await refreshed(entityId, cached, bounds, cutoffMs, exactIn);
    flush();
    return remember(entityId, entry, startedAt, reading);
  }

  return {
    fold,
    forget(entityIds) {
      flush();
      generation += 1;
      if (entityIds === null) cache.clear();
      else for (const id of entityIds) cache.delete(id);
    },
    apply(committed, cutoffMs) {
      if (committed.length === 0) return;
      // One flush per turn: a group commit's events reach here one by one, and a hot entity's entry is
      // then extended once (its arrays copied once), not once per event.
      if (pending.length === 0) queueMicrotask(flush);
      for (const item of committed) pending.push({ committed: item, cutoffMs });
    },
    async deleting(run) {
      flush();
      generation += 1;
      deletesUnderWay += 1;
      let report: DeleteReport | null = null;
      try {
        report = await run();
        return report;
      } finally {
        flush();
        deletesUnderWay -= 1;
        generation += 1;
        // A failed delete may have committed some of its steps: what it touched is unknown.
        if (report === null) cache.clear();
        else if (report.eventCount > 0) withoutDeleted(report);
      }
    },
    observeForeign() {
      flush();
      epoch += 1;
    },
    evicted(beforeMs) {
      flush();
      generation += 1;
      evictedThroughMs = Math.max(evictedThroughMs, beforeMs);
      for (const [id, entry] of cache) {
        if ((entry.arrivals[0] as StoredEvent).receivedAtMs <= beforeMs) cache.delete(id);
      }
    },
    analysisOf(event) {
      flush();
      return analyses.get(event);
    },
    async stateAt(entityId, timeMs, cutoffMs) {
      const folded = await fold(entityId, cutoffMs);
      return folded ? stateAt(folded.fold.order, timeMs) : null;
    },
  };
}
