import type Database from 'better-sqlite3';
import { is, Placeholder, type GetColumnData } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** drizzle's query builder over one better-sqlite3 connection (the queries name the tables of schema.ts). */
export type Orm = BetterSQLite3Database & { $client: Database.Database };

const orms = new WeakMap<Database.Database, Orm>();

/** The query builder over `db`, one per connection, so that helpers given the connection share it. */
export function ormOf(db: Database.Database): Orm {
  let orm = orms.get(db);
  if (!orm) {
    orm = drizzle({ client: db });
    orms.set(db, orm);
  }
  return orm;
}

/**
 * Prepared statements by shape, each built and prepared on first use: filters combine into a few dozen
 * shapes at most, so no query is built per call.
 */
export interface ShapeCache<T> {
  get(shape: string, make: () => T): T;
  /** Forgets every statement (e.g. when a table they name was dropped). */
  clear(): void;
}

/** Creates an empty {@link ShapeCache}. */
export function createShapeCache<T>(): ShapeCache<T> {
  const statements = new Map<string, T>();
  return {
    get(shape, make) {
      let statement = statements.get(shape);
      if (statement === undefined) {
        statement = make();
        statements.set(shape, statement);
      }
      return statement;
    },
    clear() {
      statements.clear();
    },
  };
}

/** The rows of a selection of columns, as drizzle types them. */
export type SelectedRow<S extends Record<string, SQLiteColumn>> = { [K in keyof S]: GetColumnData<S[K]> };

/** A select prepared by {@link prepareRows}. */
export interface RowReader<T> {
  all(params?: Record<string, unknown>): T[];
  get(params?: Record<string, unknown>): T | undefined;
}

/** A query drizzle built, prepared on better-sqlite3 in raw (array) mode, with its placeholders' binder. */
function prepareRaw(orm: Orm, query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql: text, params } = query.toSQL();
  const binders = params.map((param): ((values: Record<string, unknown>) => unknown) => {
    if (!is(param, Placeholder)) return () => param;
    const name = param.name as string;
    return (values) => {
      if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`);
      return values[name];
    };
  });
  return {
    statement: orm.$client.prepare(text).raw(true),
    bind: (values: Record<string, unknown>): unknown[] => binders.map((binder) => binder(values)),
  };
}

/**
 * Prepares a select that drizzle built for reading its rows one at a time, as arrays of raw values:
 * for a caller that may stop early (a bounded count), where `all` would read every row first.
 */
export function prepareIterate(
  orm: Orm,
  query: { toSQL(): { sql: string; params: unknown[] } },
): (params?: Record<string, unknown>) => IterableIterator<unknown[]> {
  const { statement, bind } = prepareRaw(orm, query);
  return (values = {}) => statement.iterate(...bind(values)) as IterableIterator<unknown[]>;
}

/** Prepares a `select count(*)` that drizzle built, like {@link prepareRows}: the count of its one row. */
export function prepareCount(
  orm: Orm,
  query: { toSQL(): { sql: string; params: unknown[] } },
): (params?: Record<string, unknown>) => number {
  const { statement, bind } = prepareRaw(orm, query);
  return (values = {}) => Number((statement.get(...bind(values)) as unknown[] | undefined)?.[0] ?? 0);
}

/**
 * Prepares a select that drizzle built (over `selection`) on better-sqlite3 directly, its rows decoded by
 * each column's own decoder in one pass. For the reads of many rows (an entity's events for the fold,
 * the search candidates): drizzle's prepared `all` walks every field's path per row, which made them
 * measurably slower than the hand-written reads they replace.
 */
export function prepareRows<S extends Record<string, SQLiteColumn>>(
  orm: Orm,
  query: { toSQL(): { sql: string; params: unknown[] } },
  selection: S,
): RowReader<SelectedRow<S>> {
  const { statement, bind } = prepareRaw(orm, query);
  const keys = Object.keys(selection);
  const columns = Object.values(selection);
  const decode = (row: unknown[]): SelectedRow<S> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const value = row[i];
      out[keys[i] as string] = value === null ? null : columns[i]?.mapFromDriverValue(value);
    }
    return out as SelectedRow<S>;
  };
  return {
    all: (values = {}) => (statement.all(...bind(values)) as unknown[][]).map(decode),
    get: (values = {}) => {
      const row = statement.get(...bind(values)) as unknown[] | undefined;
      return row === undefined ? undefined : decode(row);
    },
  };
}
