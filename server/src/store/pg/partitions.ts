import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { PgContext, PgTx } from './context.js';

// The day partitions of `events` (range-partitioned by received_at, epoch ms; migration 0000). A day is
// created ahead with CREATE TABLE … LIKE + ATTACH PARTITION, which takes SHARE UPDATE EXCLUSIVE on the
// parent and so never waits for (or blocks) inserts and reads; `CREATE TABLE … PARTITION OF` would take
// ACCESS EXCLUSIVE on the parent. Partition DDL is raw SQL: drizzle has no word for it.

/**
 * drizzle without the relational schema, over a transaction (`PgTx.db`) or over the pool (see
 * {@link plainDb}): what the parts of the store here run their queries on.
 */
export type PgQueryable = PgTx['db'];

/** drizzle over the pool without the relational schema (the type every part here takes). */
export const plainDb = (ctx: Pick<PgContext, 'sql'>): PgQueryable => drizzle(ctx.sql);

/** The span of one partition: a UTC day. */
export const DAY_MS = 86_400_000;

/** Days created ahead of today by the maintenance, so a day's first insert never has to create it. */
export const PARTITION_DAYS_AHEAD = 2;

/** The start (epoch ms) of the UTC day holding `atMs`. */
export const dayStartMs = (atMs: number): number => Math.floor(atMs / DAY_MS) * DAY_MS;

/** The name of the partition of the day starting at `startMs`: `events_p20300101`. */
export function partitionName(startMs: number): string {
  const day = new Date(dayStartMs(startMs)).toISOString().slice(0, 10).replaceAll('-', '');
  // A year beyond 9999 (or before 0) would not be 8 digits: refuse it instead of naming two days alike.
  if (!/^\d{8}$/.test(day)) throw new RangeError(`no day partition for ${startMs} ms`);
  return `events_p${day}`;
}

/** A day partition as the catalog lists it. */
export interface DayPartition {
  name: string;
  startMs: number;
  /** True when a DETACH … CONCURRENTLY was interrupted: it must be finished with FINALIZE. */
  detachPending: boolean;
}

/** Every partition of `events`, oldest first, with its range (read from the catalog). */
export async function listPartitions(db: PgQueryable): Promise<DayPartition[]> {
  // Raw: catalog tables and pg_get_expr have no drizzle words.
  const rows = await db.execute<{ name: string; bound: string; pending: boolean }>(sql`
    SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, i.inhdetachpending AS pending
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'events'::regclass`);
  const partitions: DayPartition[] = [];
  for (const row of rows) {
    const match = /FROM \('?(-?\d+)'?\) TO/.exec(row.bound);
    if (!match) continue;
    partitions.push({ name: row.name, startMs: Number(match[1]), detachPending: row.pending });
  }
  return partitions.sort((a, b) => a.startMs - b.startMs);
}

/** The store's view of which day partitions exist, created on demand. */
export interface Partitions {
  /**
   * Makes sure a partition exists for the day of each of `receivedAtMs` (outside any transaction: an
   * ATTACH is DDL). No query when every day is known to exist.
   */
  ensure(receivedAtMs: readonly number[]): Promise<void>;
  /** Forgets what is known (an insert found no partition for a row: another replica retired that day). */
  invalidate(): void;
  /** Tells that the day starting at `startMs` was retired (by this replica). */
  forget(startMs: number): void;
}

/**
 * The SQLSTATE of a failed query: the driver's `code`, also through drizzle's wrapper ("Failed query: …",
 * the driver's error as `cause`), which carries none of its own.
 */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/**
 * The advisory key that serialises partition DDL of one store's tables across replicas: the
 * maintenance key's schema half with a purpose of its own (the maintenance session lock may be held by
 * this very process while it creates days ahead).
 */
const partitionKey = (ctx: Pick<PgContext, 'locks'>): readonly [number, number] => [
  ctx.locks.maintenance[0] + 0x100,
  ctx.locks.maintenance[1],
];

/**
 * Creates and attaches the partition of the day starting at `startMs`, unless it is attached already:
 * one transaction under the partition DDL lock, so replicas starting together (or racing a first
 * insert of the day) create it once. ATTACH takes SHARE UPDATE EXCLUSIVE on `events`: inserts and reads
 * go on meanwhile.
 */
export async function createDayPartition(
  ctx: Pick<PgContext, 'locks' | 'transaction'>,
  startMs: number,
): Promise<void> {
  const name = partitionName(startMs);
  const endMs = startMs + DAY_MS;
  const [k0, k1] = partitionKey(ctx);
  await ctx.transaction(async ({ db }) => {
    // Raw DDL and catalog reads (see the top).
    await db.execute(sql`SELECT pg_advisory_xact_lock(${k0}::int4, ${k1}::int4)`);
    const [state] = await db.execute<{ table: boolean; attached: boolean; bound: boolean }>(sql`
      SELECT to_regclass(${name}) IS NOT NULL AS table,
        EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(${name})) AS attached,
        EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(${name})
          AND conname = ${`${name}_bound`}) AS bound`);
    if (state?.attached) return;
    if (!state?.table) {
      await db.execute(sql`CREATE TABLE ${sql.identifier(name)}
        (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE)`);
    }
    // The CHECK matches the bound, so ATTACH skips its validation scan; the indexes of the parent are
    // built on the (empty) table by ATTACH itself.
    if (!state?.bound) {
      await db.execute(
        sql.raw(
          `ALTER TABLE "${name}" ADD CONSTRAINT "${name}_bound" CHECK (received_at >= ${startMs} AND received_at < ${endMs})`,
        ),
      );
    }
    await db.execute(
      sql.raw(`ALTER TABLE events ATTACH PARTITION "${name}" FOR VALUES FROM (${startMs}) TO (${endMs})`),
    );
  });
}

/** Creates the partition cache of the store (`ctx.partitions` is the set of days known to exist). */
export function createPartitions(
  ctx: Pick<PgContext, 'sql' | 'partitions' | 'locks' | 'transaction'>,
): Partitions {
  const db = plainDb(ctx);
  const known = ctx.partitions;
  let loaded = false;
  let loading: Promise<void> | null = null;
  const load = (): Promise<void> => {
    loading ??= listPartitions(db)
      .then((list) => {
        known.clear();
        for (const p of list) if (!p.detachPending) known.add(p.startMs);
        loaded = true;
      })
      .finally(() => (loading = null));
    return loading;
  };
  return {
    async ensure(receivedAtMs) {
      const days = new Set(receivedAtMs.map(dayStartMs));
      if (loaded && [...days].every((day) => known.has(day))) return;
      if (!loaded) await load();
      for (const day of days) {
        if (known.has(day)) continue;
        await createDayPartition(ctx, day);
        known.add(day);
      }
    },
    invalidate() {
      loaded = false;
    },
    forget(startMs) {
      known.delete(dayStartMs(startMs));
    },
  };
}
