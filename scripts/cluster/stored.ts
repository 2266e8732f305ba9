// Reads back what the database holds, straight from it (not through a replica, which could hide a row):
// every event's id, webhook-id and position.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import type { StoredRow } from './checks.js';

/** Every event in the PostgreSQL database at `url`, whatever partition holds it. */
export async function readPostgresRows(url: string): Promise<StoredRow[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    // Raw SQL: the harness reads the tables as they are, not through the store it is testing.
    const rows = await sql<{ id: string; delivery_id: string | null; sequence: string }[]>`
      SELECT id, delivery_id, sequence::text AS sequence FROM events`;
    return rows.map((row) => ({
      eventId: row.id,
      deliveryId: row.delivery_id,
      sequence: Number(row.sequence),
    }));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Every event in a SQLite replica's file (the single-process mode the harness checks itself on). */
export function readSqliteRows(dataDir: string): StoredRow[] {
  const db = new Database(join(dataDir, 'hookscope.db'), { readonly: true });
  try {
    const columns = db.prepare(`SELECT name FROM pragma_table_info('events')`).all() as { name: string }[];
    // The position column where the store has one; the rowid (insert order, one process) before that.
    const position = columns.some((c) => c.name === 'sequence') ? 'sequence' : 'rowid';
    const rows = db.prepare(`SELECT id, delivery_id, ${position} AS sequence FROM events`).all() as {
      id: string;
      delivery_id: string | null;
      sequence: number | bigint | string;
    }[];
    return rows.map((row) => ({
      eventId: row.id,
      deliveryId: row.delivery_id,
      sequence: Number(row.sequence),
    }));
  } finally {
    db.close();
  }
}
