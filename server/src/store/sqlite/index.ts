import type Database from 'better-sqlite3';
import type { Store } from '../types.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer.js';
import { createStats, openEventTally, prepareCounterReads } from './counts.js';
import { createEntityReads } from './entities.js';
import { createEventReads } from './events.js';
import { createEviction, createMaintenance, type Eviction } from './maintenance.js';
import { openDatabase } from './open.js';
import { ormOf } from './orm.js';
import { createRejectionReads } from './rejections.js';
import { clampSearchMark, createSearchReader } from './search.js';
import { createStatementCache } from './statements.js';
import { createWriter } from './writes.js';

export type { Eviction } from './maintenance.js';

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  dataDir: string;
  maxRejections: number;
  /** Events kept at most: each commit that passes it evicts the oldest; 0 = no cap. */
  maxStoredEvents?: number;
  /** Size cap of the database file; a write beyond it fails (the caller answers 503); 0 = none. */
  maxDatabaseBytes?: number;
  /** Told after a commit that evicted events for the cap (so that readers can be told, like a purge). */
  onEvicted?: (eviction: Eviction) => void;
}

/** Opens the database and sets the connection's pragmas for the store. */
function openStoreDatabase(options: SqliteStoreOptions): Database.Database {
  const db = openDatabase(options.dataDir);
  // WAL checkpoints (an fsync of the database file) run on a worker thread, not inside a commit here.
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  if (options.maxDatabaseBytes) {
    // max_page_count is per connection, so it is set on every open; SQLite then answers SQLITE_FULL
    // exactly as on a full disk, which is the path the webhook turns into a 503.
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize))}`);
  }
  // Deletes made while the store was closed (another program) must not leave the mark above new rows.
  clampSearchMark(db);
  return db;
}

/** Opens the SQLite store in `dataDir` (see {@link Store}). */
export function createSqliteStore(options: SqliteStoreOptions): Store & { readonly db: Database.Database } {
  const db = openStoreDatabase(options);
  const checkpointer = startCheckpointer(db.name);
  const orm = ormOf(db);
  const tally = openEventTally(orm);
  const counters = prepareCounterReads(orm);
  // The upkeep's raw statements, prepared once per distinct SQL text.
  const { prepare } = createStatementCache(db);
  const evict = createEviction(db, options.maxStoredEvents ?? 0);
  const writer = createWriter(
    db,
    { maxRejections: options.maxRejections, evict, onEvicted: options.onEvicted },
    tally,
  );
  const events = createEventReads(orm, counters, createSearchReader(db));
  const entities = createEntityReads(orm);
  const rejections = createRejectionReads(orm);
  return {
    db,
    insertEvent: writer.insertEvent,
    insertRejection: writer.insertRejection,
    ...events,
    ...entities,
    ...rejections,
    stats: createStats(counters, { ...events, ...entities, ...rejections }),
    ...createMaintenance(db, prepare, tally),
    async close() {
      if (writer.closed) return;
      writer.close();
      await checkpointer.stop();
      db.close();
    },
  };
}
