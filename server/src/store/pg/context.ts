import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';

/** Who stamps `receivedAtMs` (and with it the event id) of a stored event. */
export type ReceivedAtStamp = 'database' | 'caller';

/** Options of the PostgreSQL store. */
export interface PgStoreOptions {
  /** postgres:// or postgresql:// URL (DATABASE_URL). */
  databaseUrl: string;
  /**
   * The same database without a transaction pooler in between (DATABASE_DIRECT_URL), for what needs a
   * session of its own: the migrations (a session advisory lock) and the maintenance (a session advisory
   * lock, DETACH … CONCURRENTLY). Given, `databaseUrl` is taken for a transaction pooler (PgBouncer's
   * `pool_mode = transaction`): no prepared statements, no session settings at connect (each
   * transaction sets its own). Default: none, `databaseUrl` is a direct connection for everything.
   */
  directUrl?: string;
  maxRejections: number;
  /** Events kept at most: each commit that passes it evicts the oldest; 0 = no cap. */
  maxStoredEvents?: number;
  /** Learn payload schemas and judge drift in each commit (SCHEMA_LEARNING); default true. */
  schemaLearning?: boolean;
  /**
   * 'database' (the default): the ingest transaction stamps received_at from the database's clock under
   * the ingest lock, never before the last one stamped, and the store makes the event id from that time
   * and the event's sequence, so (received_at, id) order is commit order on every replica. 'caller':
   * the caller's receivedAtMs and id are kept (the contract suite, which stamps times itself).
   */
  receivedAtStamp?: ReceivedAtStamp;
  /**
   * The PostgreSQL schema that holds the tables (and drizzle's migration journal), created when missing;
   * default: the URL's search_path, i.e. `public` (and the journal in `drizzle`). Tests give each store
   * its own.
   */
  schema?: string;
  /** Connections in the pool; default 10. */
  maxConnections?: number;
  /** Seconds to wait for a connection to open before failing (unavailable); default 3. */
  connectTimeoutSeconds?: number;
  /** Longest a statement may run before PostgreSQL cancels it (unavailable); default 10 s. */
  statementTimeoutMs?: number;
  /**
   * A NOTIFY channel on which every ingest transaction that took positions announces its last one, as
   * `message(head)`, from inside the transaction: PostgreSQL delivers it to the listeners as the commit
   * becomes visible, with no round trip (nor commit of its own) after it. Default: none (the caller
   * announces, e.g. over Redis).
   */
  announce?: PgAnnounce;
}

/** See {@link PgStoreOptions.announce}. */
export interface PgAnnounce {
  channel: string;
  /** The payload for the new head (a decimal sequence); under 8000 bytes, as NOTIFY requires. */
  message: (head: string) => string;
}

/** {@link PgStoreOptions} with every default applied. */
export interface ResolvedPgOptions extends Required<
  Omit<PgStoreOptions, 'schema' | 'directUrl' | 'announce'>
> {
  schema: string | null;
  directUrl: string | null;
  announce: PgAnnounce | null;
}

/** A transaction of the store: the raw driver handle and drizzle's query builder over it. */
export interface PgTx {
  sql: postgres.TransactionSql;
  /** drizzle over the transaction (the same type as the pool's, built per transaction: cheap). */
  db: PostgresJsDatabase;
}

/** What every module of the PostgreSQL store takes: the pool, drizzle over it, the options. */
export interface PgContext {
  /** The pooled driver (porsager/postgres). Raw `sql` only where drizzle has no word, marked as such. */
  sql: postgres.Sql;
  /**
   * Connections whose session is their own (over `directUrl` when given, else the pool itself): what
   * holds a session advisory lock or runs outside a transaction takes one (`reserve()`).
   */
  sessions: postgres.Sql;
  /** drizzle's query builder over the pool (no relational schema: no query here uses one). */
  db: PostgresJsDatabase;
  options: ResolvedPgOptions;
  /** Advisory lock keys of this store's tables (two int4, see {@link advisoryKey}). */
  locks: {
    /** Taken first by every transaction that assigns sequences or removes events (ingest, deletes, eviction). */
    ingest: AdvisoryKey;
    /** Held (session level) around the migrator at open. */
    migrate: AdvisoryKey;
    /** Held by the one replica that runs maintenance (partition retirement, purge). */
    maintenance: AdvisoryKey;
  };
  /** Day partitions known to exist (UTC day starts, epoch ms); see partitions.ts. */
  partitions: Set<number>;
  /**
   * `sql.begin(work)` made safe against the driver's crash on a lost connection (open.ts), with the
   * session settings that a connection through a transaction pooler lacks.
   */
  begin<T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T>;
  /** Runs `work` in a transaction (drizzle and the raw driver over the same one). */
  transaction<T>(work: (tx: PgTx) => Promise<T>): Promise<T>;
}

/** An advisory lock key: pg_advisory_xact_lock(int4, int4). */
export type AdvisoryKey = readonly [number, number];

// The first half of every key: "hs" in ASCII, so our locks are told apart from other programs' in pg_locks.
const KEY_NAMESPACE = 0x6873;

/** 32-bit FNV-1a of a string, as a signed int4. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/**
 * The advisory key of `purpose` for the tables in `schemaName`: stores in different schemas of one
 * database (the tests) do not serialise each other, replicas on the same tables share every key.
 */
export function advisoryKey(schemaName: string, purpose: 'ingest' | 'migrate' | 'maintenance'): AdvisoryKey {
  return [KEY_NAMESPACE + ['ingest', 'migrate', 'maintenance'].indexOf(purpose), hash32(schemaName)];
}
