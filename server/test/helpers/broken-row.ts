import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { DATABASE_FILE_NAME } from '../../src/store/sqlite/open.js';
import { ormOf } from '../../src/store/sqlite/orm.js';
import { events } from '../../src/store/sqlite/schema.js';

/**
 * Writes, as another program would, an event row whose headers column is not JSON: reading it back
 * throws a SyntaxError inside the store, a bug rather than an unavailable store. The headers are a raw
 * fragment, since the schema's JSON column would encode the broken text instead of storing it.
 */
export function insertUnparsableRow(dataDir: string, row: { id: string; deliveryId?: string }): void {
  const db = new Database(join(dataDir, DATABASE_FILE_NAME));
  try {
    ormOf(db)
      .insert(events)
      .values({
        id: row.id,
        receivedAt: Date.now(),
        time: 0,
        action: 'create',
        entityType: 'task',
        entityId: 'e1',
        deliveryId: row.deliveryId ?? null,
        headers: sql`'{not json'`,
        raw: Buffer.from('{}'),
      })
      .run();
  } finally {
    db.close();
  }
}
