import type Database from 'better-sqlite3';

/** Prepared statements of one connection, each distinct SQL text prepared once. */
export interface StatementCache {
  prepare(sql: string): Database.Statement;
  /** Forgets the statements whose SQL matches (e.g. those naming a table that was dropped). */
  forget(matches: (sql: string) => boolean): void;
}

/** Creates a {@link StatementCache} over `db`. */
export function createStatementCache(db: Database.Database): StatementCache {
  const statements = new Map<string, Database.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    forget(matches) {
      for (const sql of [...statements.keys()]) if (matches(sql)) statements.delete(sql);
    },
  };
}
