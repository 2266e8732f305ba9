import { createMockGenerator } from '../src/domain/mock.js';
import { createIdGenerator } from '../src/shared/ids.js';
import { count } from 'drizzle-orm';
import type { Action, JsonObject } from '../src/domain/types.js';
import { openDatabase } from '../src/store/sqlite/open.js';
import { ormOf } from '../src/store/sqlite/orm.js';
import { prepareEntityUpsert, prepareEventInsert, prepareSequenceSave } from '../src/store/sqlite/rows.js';
import { eventCounts, eventSequence, events } from '../src/store/sqlite/schema.js';
import { indexAllForSearch } from '../src/store/sqlite/search.js';
import { rebuildEventTraffic } from '../src/store/sqlite/traffic.js';

/** What to seed. */
export interface SeedOptions {
  dataDir: string;
  count: number;
  /** received_at of the first and last row (epoch ms); rows are spread evenly in between. */
  fromMs: number;
  toMs: number;
  /** Events of one extra entity (`bench-big-entity`), spread over the range: the fold target. */
  bigEntityEvents?: number;
  /** One row in this many carries the rare search term `zebrafish` in its payload. */
  rareEvery?: number;
  /** Build the search index too (default true); a scenario that never searches skips it. */
  searchIndex?: boolean;
}

/** The entity id that receives {@link SeedOptions.bigEntityEvents} events. */
export const BIG_ENTITY_ID = 'bench-big-entity';
/** A term that only 1 in `rareEvery` rows contains. */
export const RARE_TERM = 'zebrafish';

/**
 * Writes `count` realistic events straight into SQLite (migrations, triggers and all), in large
 * transactions: the HTTP path would take minutes per million rows, this takes seconds. Only the bench uses it.
 */
export function seed(options: SeedOptions): { rows: number; ms: number } {
  const started = performance.now();
  const db = openDatabase(options.dataDir);
  // Bulk load: durability is irrelevant for a file the bench throws away; the server reopens it with FULL.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  // Row-by-row trigger upkeep (the counters) is what a live insert pays; a bulk load rebuilds
  // them once at the end instead, which is an order of magnitude faster, then puts the triggers back.
  const triggers = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")
    .all() as { name: string; sql: string }[];
  for (const trigger of triggers) db.exec(`DROP TRIGGER ${trigger.name}`);
  let clockMs = options.fromMs;
  const newId = createIdGenerator({ now: () => clockMs });
  const mock = createMockGenerator({ seed: 42, now: () => clockMs });
  const orm = ormOf(db);
  // The store's own prepared statements: the seeded rows are exactly what the ingest path writes.
  const insert = prepareEventInsert(orm);
  // Positions after any already given out, as the store's commit assigns them.
  const firstSequence = (orm.select({ last: eventSequence.last }).from(eventSequence).get()?.last ?? 0) + 1;
  const upsertEntity = prepareEntityUpsert(orm);
  const headers = { 'content-type': 'application/json', 'user-agent': 'hookscope-bench' };
  const big = options.bigEntityEvents ?? 0;
  const bigEvery = big > 0 ? Math.max(1, Math.floor(options.count / big)) : 0;
  const rareEvery = options.rareEvery ?? 0;
  const stepMs = (options.toMs - options.fromMs) / Math.max(1, options.count - 1);
  let bigDone = 0;
  const BATCH = 20_000;
  const writeBatch = db.transaction((start: number, end: number) => {
    for (let i = start; i < end; i++) {
      clockMs = Math.floor(options.fromMs + i * stepMs);
      let body: JsonObject;
      if (bigEvery > 0 && i % bigEvery === 0 && bigDone < big) {
        body =
          bigDone === 0
            ? {
                action: 'create',
                entity_type: 'task',
                time: new Date(clockMs).toISOString(),
                payload: { id: BIG_ENTITY_ID, n: 0 },
              }
            : {
                action: 'update',
                entity_type: 'task',
                time: new Date(clockMs).toISOString(),
                id: BIG_ENTITY_ID,
                modified_fields: ['n'],
                payload: { n: bigDone },
              };
        bigDone++;
      } else {
        body = mock.next();
        // Offset from multiples of the big entity's spacing, which would take those rows first.
        if (rareEvery > 0 && i % rareEvery === rareEvery - 1)
          (body.payload as JsonObject).note = `spotted a ${RARE_TERM}`;
      }
      const payload = body.payload as JsonObject;
      const entityId = String(body.action === 'create' ? payload.id : (body.id ?? payload.id));
      const raw = Buffer.from(JSON.stringify(body));
      const entityType = body.entity_type as string;
      insert({
        id: newId(),
        sequence: String(firstSequence + i),
        receivedAtMs: clockMs,
        timeMs: Date.parse(String(body.time)),
        action: body.action as Action,
        entityType,
        entityId,
        modifiedFields: Array.isArray(body.modified_fields) ? (body.modified_fields as string[]) : null,
        deliveryId: null,
        headers,
        raw,
      });
      upsertEntity({ id: entityId, entityType, lastReceivedAtMs: clockMs });
    }
  });
  for (let start = 0; start < options.count; start += BATCH) {
    writeBatch(start, Math.min(options.count, start + BATCH));
  }
  prepareSequenceSave(orm)(firstSequence + options.count - 1);
  db.transaction(() => {
    orm.delete(eventCounts).run();
    orm
      .insert(eventCounts)
      .select(
        orm
          .select({ entityType: events.entityType, action: events.action, count: count().as('count') })
          .from(events)
          .groupBy(events.entityType, events.action),
      )
      .run();
    rebuildEventTraffic(db);
    for (const trigger of triggers) db.exec(trigger.sql);
  })();
  // The search index, built by the same step the server runs in the background (10,000 rows a step), so
  // that the bench measures queries against a caught-up index.
  if (options.searchIndex !== false) indexAllForSearch(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { rows: options.count, ms: performance.now() - started };
}
