import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';

// Pipelining a transaction's statements. postgres.js sends a query when it is first awaited, a microtask
// or more later, and drizzle's own execute path adds microtasks of its own: statements issued together
// through both would go out in an order nobody chose. A statement given to `send` is handed to the
// driver at once (`execute()`), so statements go out, and run, in the order of the calls: a COMMIT sent
// after them in the same round trip is the last. That keeps the ingest lock's hold free of round trips.

const dialect = new PgDialect();

/** A statement as drizzle renders it: text with `$n` placeholders and its parameters. */
export interface RenderedQuery {
  sql: string;
  params: unknown[];
}

/**
 * Whether statements on `tx` may be prepared: not through a transaction pooler (the pool's `prepare`
 * option, open.ts), where the next transaction may run on a server connection that never saw them. The
 * pool's options reach the transaction through toPgTx (open.ts), which every transaction of the store
 * passes through first.
 */
export function mayPrepare(tx: postgres.TransactionSql): boolean {
  return (tx as Partial<Pick<postgres.Sql, 'options'>>).options?.prepare !== false;
}

/** Sends `query` on `tx`'s connection now, after everything sent before it; answers its rows. */
export function send<Row extends object>(
  tx: postgres.TransactionSql,
  query: SQL | RenderedQuery,
): postgres.PendingQuery<Row[]> {
  const rendered = 'params' in query ? query : dialect.sqlToQuery(query);
  return tx
    .unsafe<Row[]>(rendered.sql, rendered.params as postgres.ParameterOrJSON<never>[], {
      prepare: mayPrepare(tx),
    })
    .execute();
}
