import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnavailable } from '../../src/store/pg/errors.js';
import { beginTransaction } from '../../src/store/pg/open.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';

// The store's transaction wrapper (store/pg/open.ts) on a real PostgreSQL: a transaction whose
// connection is lost settles, with an error that answers 503, whether or not the driver reports the
// close, so that no webhook waits behind it for ever and the process is not ended by the driver's crash.

let database: TestDatabase | null = null;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const pool = () => postgres((database as TestDatabase).url, { max: 2, onnotice: () => {} });

describe('beginTransaction on PostgreSQL', () => {
  it('rejects, unavailable, when the backend of its connection is terminated mid-transaction', async () => {
    const sql = pool();
    const admin = postgres((database as TestDatabase).url, { max: 1, onnotice: () => {} });
    try {
      const outcome = await beginTransaction(sql, async (tx) => {
        const [{ pid }] = (await tx`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
        await admin`select pg_terminate_backend(${pid})`;
        await tx`select 1`;
        return 'committed';
      }).catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(Error);
      expect(isUnavailable(outcome)).toBe(true);
      // The pool serves again: a fresh connection replaces the dead one.
      expect(await sql`select 2 as n`).toEqual([{ n: 2 }]);
    } finally {
      await admin.end();
      await sql.end({ timeout: 1 });
    }
  });

  it('rejects within seconds when a query reports its connection lost but no close follows', async () => {
    const sql = pool();
    try {
      const started = Date.now();
      const lost = Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' });
      const outcome = await beginTransaction(sql, async (tx) => {
        await tx`select 1`;
        throw lost;
      }).catch((error: unknown) => error);
      expect(outcome).toBe(lost);
      expect(isUnavailable(outcome)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      // The transaction left open on its connection is closed with the pool.
      await sql.end({ timeout: 1 });
    }
  });
});
