import type Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

/** drizzle's query builder over one better-sqlite3 connection (the queries name the tables of schema.ts). */
export type Orm = BetterSQLite3Database;

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
