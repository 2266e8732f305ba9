import type Database from 'better-sqlite3';
import type { EventStore, MaintenanceOptions } from '../types.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from './checkpointer.js';
import { createStats, openEventTally, prepareCounterReads } from './counts.js';
import { createDeliveryReads } from './deliveries.js';
import { createEntityReads } from './entities.js';
import { createDeletes } from './deletes.js';
import { createEventReads, createListPage } from './events.js';
import { withClassifiedFailures } from './errors.js';
import {
  createEviction,
  createMaintenance,
  type SearchIndexTuning,
  type SqliteMaintenance,
} from './maintenance.js';
import { openDatabase } from './open.js';
import { ormOf } from './orm.js';
import { createRejectionReads } from './rejections.js';
import { createSchemaLearning, createSchemaReads, settleSchemaLearning } from './schemas.js';
import { clampSearchMark, createSearchReader } from './search.js';
import { createStatementCache } from './statements.js';
import { createTrafficReads } from './traffic.js';
import { createWriter } from './writes.js';

export type { SqliteMaintenance } from './maintenance.js';

/** Options of the SQLite store. */
export interface SqliteStoreOptions extends SearchIndexTuning {
  dataDir: string;
  maxRejections: number;
  /** Events kept at most: each commit that passes it evicts the oldest; 0 = no cap. */
  maxStoredEvents?: number;
  /** Size cap of the database file; a write beyond it fails with StoreUnavailableError; 0 = none. */
  maxDatabaseBytes?: number;
  /** Learn payload schemas and judge drift in each commit (SCHEMA_LEARNING); default true. */
  schemaLearning?: boolean;
}

/** The SQLite store: the contract, with SQLite's maintenance (which can also index on demand). */
export interface SqliteStore extends EventStore {
  startMaintenance(options: MaintenanceOptions): SqliteMaintenance;
}

/** Opens the database and sets the connection's pragmas for the store. */
function openStoreDatabase(options: SqliteStoreOptions): Database.Database {
  const db = openDatabase(options.dataDir);
  // WAL checkpoints (an fsync of the database file) run on a worker thread, not inside a commit here.
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  if (options.maxDatabaseBytes) {
    // max_page_count is per connection, so it is set on every open; SQLite then answers SQLITE_FULL
    // exactly as on a full disk: a StoreUnavailableError, which the webhook answers with a 503.
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize))}`);
  }
  // Deletes made while the store was closed (another program) must not leave the mark above new rows.
  clampSearchMark(db);
  return db;
}

/** Every method of `methods` with its failures classified: the store's rejections, as the contract says. */
function classifyingErrors<T extends { [K in keyof T]: (...args: never[]) => Promise<unknown> }>(
  methods: T,
): T {
  const entries = Object.entries(methods).map(([key, method]) => [
    key,
    withClassifiedFailures(method as (...args: unknown[]) => Promise<unknown>),
  ]);
  return Object.fromEntries(entries) as T;
}

/** Opens the SQLite store in `dataDir` (see {@link EventStore}). */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = openStoreDatabase(options);
  const checkpointer = startCheckpointer(db.name);
  const orm = ormOf(db);
  const tally = openEventTally(orm);
  const counters = prepareCounterReads(orm);
  // The upkeep's raw statements, prepared once per distinct SQL text.
  const { prepare } = createStatementCache(db);
  const evict = createEviction(db, options.maxStoredEvents ?? 0);
  const learning = options.schemaLearning === false ? null : createSchemaLearning(orm);
  if (!learning) settleSchemaLearning(orm);
  const maintenance = createMaintenance(db, prepare, tally, options, () => learning?.persist(true));
  const writer = createWriter(
    db,
    {
      maxRejections: options.maxRejections,
      evict,
      onEvicted: maintenance.reportEviction,
      learning,
    },
    tally,
  );
  const search = createSearchReader(db);
  const listPage = createListPage(orm, search);
  const events = createEventReads(orm, counters, search, listPage);
  const deletes = createDeletes(db, orm, writer, listPage);
  const entities = createEntityReads(orm);
  const rejections = createRejectionReads(orm);
  return {
    ...classifyingErrors({
      insertEvent: writer.insertEvent,
      insertRejection: writer.insertRejection,
      deleteEvents: deletes.deleteEvents,
      insertDelivery: writer.insertDelivery,
      ...createDeliveryReads(orm),
      ...events,
      ...entities,
      ...rejections,
      ...createSchemaReads(orm, learning),
      stats: createStats(counters, { ...events, ...entities, ...rejections }),
      ...createTrafficReads(orm),
    }),
    startMaintenance: maintenance.startMaintenance,
    async close() {
      if (writer.closed) return;
      writer.close();
      await checkpointer.stop();
      db.close();
    },
  };
}
