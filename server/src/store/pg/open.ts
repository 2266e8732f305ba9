import net from 'node:net';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { packageRoot } from '../../shared/paths.js';
import {
  advisoryKey,
  type PgContext,
  type PgTx,
  type PgStoreOptions,
  type ResolvedPgOptions,
} from './context.js';
import { guardDriverCrash } from './driver-guard.js';
import { driverErrorOf } from './errors.js';

/** The PostgreSQL migrations drizzle-kit generates (npm run db:generate:pg). */
export const PG_MIGRATIONS_FOLDER = join(packageRoot, 'server', 'drizzle', 'pg');

/** `options` with every default applied. */
export function resolvePgOptions(options: PgStoreOptions): ResolvedPgOptions {
  return {
    databaseUrl: options.databaseUrl,
    maxRejections: options.maxRejections,
    maxStoredEvents: options.maxStoredEvents ?? 0,
    schemaLearning: options.schemaLearning ?? true,
    receivedAtStamp: options.receivedAtStamp ?? 'database',
    schema: options.schema ?? null,
    directUrl: options.directUrl ?? null,
    maxConnections: options.maxConnections ?? 10,
    connectTimeoutSeconds: options.connectTimeoutSeconds ?? 3,
    statementTimeoutMs: options.statementTimeoutMs ?? 10_000,
    announce: options.announce ?? null,
  };
}

/** A schema name as a quoted identifier (for search_path). */
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Bytes a connection's socket buffers before a write reports back-pressure (Node's default: 16 kB). */
const SOCKET_WRITE_BUFFER_BYTES = 8 * 1024 * 1024;

/** The connection options the driver hands its `socket` option (not in its published types). */
interface SocketTarget {
  host: string[];
  port: number[];
  path?: string | false;
}

/**
 * The socket of a connection, with a larger write buffer than Node's 16 kB. postgres.js stops
 * pipelining on a connection as soon as a write reports back-pressure, until that statement answers:
 * a group commit's insert carries more than 16 kB, so the statements and the COMMIT issued after it
 * waited for its answer, each a round trip more under the ingest lock. Only where the driver would
 * connect one host itself (several hosts: the driver's own socket and its failover).
 */
function bufferedSocket(target: SocketTarget): net.Socket {
  // Node passes the stream options on to the Duplex (its types list only the socket's own).
  const socket = new net.Socket({
    writableHighWaterMark: SOCKET_WRITE_BUFFER_BYTES,
  } as net.SocketConstructorOpts);
  if (target.path) socket.connect(target.path);
  else socket.connect(target.port[0] ?? 5432, target.host[0] ?? 'localhost');
  return socket;
}

/**
 * The session settings every connection of the store runs with. Direct connections send them at connect
 * (startup parameters); through a transaction pooler each transaction sets them for itself.
 */
function sessionSettings(options: ResolvedPgOptions): Record<string, string> {
  return {
    // Acknowledged means durable: a 201 only after the commit is flushed (the server's default, made sure).
    synchronous_commit: 'on',
    statement_timeout: String(options.statementTimeoutMs),
    // Keep a waiting lock from turning into a hung webhook: it fails (55P03, unavailable) instead.
    lock_timeout: String(options.statementTimeoutMs),
    idle_in_transaction_session_timeout: '60000',
  };
}

/**
 * The driver's options: of the pool (`viaPooler` when it goes through a transaction pooler), of the
 * migrator's connection and of the session connections (never through the pooler).
 */
function driverOptions(
  options: ResolvedPgOptions,
  max: number,
  viaPooler: boolean,
): postgres.Options<Record<string, never>> {
  // Every URL the store connects to names one host (several: the driver's own socket and its failover).
  const oneHost = [options.databaseUrl, options.directUrl].every((text) => {
    if (text === null) return true;
    const url = new URL(text);
    return !url.host.includes(',') && !url.searchParams.has('host');
  });
  return {
    max,
    // The driver takes a `socket` factory (documented, not in its types).
    ...((oneHost ? { socket: bufferedSocket } : {}) as Record<string, never>),
    // A database that does not answer fails a call within seconds (503) instead of queueing it.
    connect_timeout: options.connectTimeoutSeconds,
    // Seconds before reconnecting after a failure. The driver's default grows to 20 s after a few
    // failures, so a restarted database stayed unused (webhooks waited 5 s and more); a short cap
    // keeps both the answers while it is down (503) and the recovery within a second.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    // Idle connections close, and each is replaced within the hour (bounds prepared-statement memory).
    idle_timeout: 60,
    max_lifetime: 30 * 60,
    // A transaction pooler hands each transaction to any server connection, where a statement prepared
    // on another is unknown (PgBouncer before 1.21 has no support for them at all).
    prepare: !viaPooler,
    // NOTICEs (CREATE ... IF NOT EXISTS that existed) are not errors; the driver would log them.
    onnotice: () => {},
    connection: {
      // The one startup parameter PgBouncer passes on; it refuses the others ("unsupported startup parameter").
      application_name: 'hookscope',
      ...(viaPooler ? {} : sessionSettings(options)),
      ...(options.schema === null ? {} : { search_path: `${quoted(options.schema)}, public` }),
    },
  };
}

/**
 * Applies the pending migrations under a session advisory lock on a connection of its own: drizzle's
 * migrate() takes none, so replicas starting together would both apply the same migration. The others
 * wait for the lock, then find nothing left to do.
 */
async function migrateLocked(options: ResolvedPgOptions): Promise<void> {
  // Never through a transaction pooler: the session lock must stay on the connection that migrates.
  const single = postgres(options.directUrl ?? options.databaseUrl, driverOptions(options, 1, false));
  const schemaName = options.schema ?? 'public';
  const [k0, k1] = advisoryKey(schemaName, 'migrate');
  try {
    // Raw: drizzle has no word for advisory locks or CREATE SCHEMA (which races without the lock).
    await single`select pg_advisory_lock(${k0}, ${k1})`;
    if (options.schema !== null) await single`create schema if not exists ${single(options.schema)}`;
    await migrate(drizzle({ client: single }), {
      migrationsFolder: PG_MIGRATIONS_FOLDER,
      migrationsSchema: options.schema ?? 'drizzle',
    });
    await single`select pg_advisory_unlock(${k0}, ${k1})`;
  } finally {
    await single.end({ timeout: 5 });
  }
}

/**
 * A transaction of `pool` as the modules take it. drizzle wants a Sql with `options` (it installs its
 * type parsers there, already done on the pool's, which the transaction shares); a TransactionSql has no
 * `options` and no begin(), which drizzle only calls for db.transaction (never used on it).
 */
export function toPgTx(tx: postgres.TransactionSql, pool: postgres.Sql): PgTx {
  const client = Object.assign(tx, { options: pool.options }) as unknown as postgres.Sql;
  return { sql: tx, db: drizzle({ client }) };
}

/** Errors after which the transaction's connection is gone (or about to close): nothing more may be written on it. */
const CONNECTION_LOST = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'ECONNRESET',
  'EPIPE',
]);

export function isConnectionLost(error: unknown): boolean {
  const code = driverErrorOf(error)?.code;
  if (code === undefined) return false;
  // 57P01-57P03: the server is shutting down or restarting; class 08: the connection failed.
  return CONNECTION_LOST.has(code) || /^57P0[123]$/.test(code) || code.startsWith('08');
}

/** How long a transaction whose connection was lost waits for the driver to report the close. */
const LOST_CONNECTION_GRACE_MS = 2_000;

/**
 * `pool.begin(work)`, made safe against a postgres.js 3.4.9 crash (porsager/postgres #1154, #1208): when
 * a transaction's query fails because its connection died, begin() writes ROLLBACK on that connection,
 * and once its socket is gone the deferred write throws a TypeError from a setImmediate, which no caller
 * can catch and which ends the process. So on such an error the callback never settles: begin() rejects
 * through the connection's close instead (its race with `onclose`), and nothing is written on the dead
 * connection. Should the close not reach begin() within {@link LOST_CONNECTION_GRACE_MS}, the transaction
 * rejects with the error itself, so that no caller (the group commit, every webhook queued behind it)
 * waits on it for ever. Any other failure rolls back as usual.
 */
export function beginTransaction<T>(
  pool: postgres.Sql,
  work: (tx: postgres.TransactionSql) => Promise<T>,
  settings: Record<string, string> | null = null,
): Promise<T> {
  let lost: ((error: unknown) => void) | null = null;
  const connectionLost = new Promise<never>((_, reject) => (lost = reject));
  let timer: NodeJS.Timeout | undefined;
  const transaction = pool.begin(async (tx) => {
    try {
      if (settings === null) return await work(tx);
      // Issued with the work's first statements (one round trip), run before them on the connection.
      const [, result] = await Promise.all([setLocal(tx, settings), work(tx)]);
      return result;
    } catch (error) {
      if (!isConnectionLost(error)) throw error;
      timer = setTimeout(() => lost?.(error), LOST_CONNECTION_GRACE_MS);
      return new Promise<never>(() => {});
    }
  }) as Promise<T>;
  return Promise.race([transaction, connectionLost]).finally(() => clearTimeout(timer));
}

/** `settings` for the rest of the transaction (`SET LOCAL`), in one statement. Raw: drizzle has no word for it. */
function setLocal(tx: postgres.TransactionSql, settings: Record<string, string>) {
  const calls = Object.entries(settings).map(([name, value]) => tx`set_config(${name}, ${value}, true)`);
  return tx`select ${calls.reduce((list, call) => tx`${list}, ${call}`)}`;
}

/** Opens the pool, applies pending migrations and answers the context every module takes. */
export async function openPgContext(given: PgStoreOptions): Promise<PgContext> {
  const options = resolvePgOptions(given);
  guardDriverCrash((error) =>
    process.emitWarning(`hookscope: dropped a postgres.js crash (${error.message})`),
  );
  const viaPooler = options.directUrl !== null;
  if (viaPooler && options.schema !== null) {
    // search_path travels as a startup parameter, which a transaction pooler refuses (tests only).
    throw new Error('the PostgreSQL store: a schema of its own needs a direct DATABASE_URL');
  }
  await migrateLocked(options);
  const sql = postgres(options.databaseUrl, driverOptions(options, options.maxConnections, viaPooler));
  // One connection: the maintenance, its only user, reserves it while it runs (a run at a time).
  const sessions = viaPooler ? postgres(options.directUrl as string, driverOptions(options, 1, false)) : sql;
  const db = drizzle({ client: sql });
  const settings = viaPooler ? sessionSettings(options) : null;
  const begin = <T>(work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> =>
    beginTransaction(sql, work, settings);
  const schemaName = options.schema ?? 'public';
  return {
    sql,
    sessions,
    db,
    options,
    locks: {
      ingest: advisoryKey(schemaName, 'ingest'),
      migrate: advisoryKey(schemaName, 'migrate'),
      maintenance: advisoryKey(schemaName, 'maintenance'),
    },
    partitions: new Set(),
    begin,
    transaction: (work) => begin((tx) => work(toPgTx(tx, sql))),
  };
}

/** Closes the context's connections, waiting up to `timeoutSeconds` for queries in flight. */
export async function closePgContext(ctx: PgContext, timeoutSeconds: number): Promise<void> {
  await Promise.all([
    ctx.sql.end({ timeout: timeoutSeconds }),
    ctx.sessions === ctx.sql ? null : ctx.sessions.end({ timeout: timeoutSeconds }),
  ]);
}
