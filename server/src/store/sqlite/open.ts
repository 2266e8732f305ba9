import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { packageRoot } from '../../shared/paths.js';

/** The database file's name inside DATA_DIR. */
export const DATABASE_FILE_NAME = 'hookscope.db';

/** Opens (creating when missing) the database in `dataDir`, sets the pragmas and applies pending migrations. */
export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(join(resolve(dataDir), DATABASE_FILE_NAME));
  // auto_vacuum only takes effect before the first table exists; on an existing file it is a no-op.
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  // journal_mode persists in the file, the others do not: all of them are set on every open.
  sqlite.pragma('journal_mode = WAL');
  // FULL: an acknowledged event survives power loss; group commit keeps its cost small.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  // Migrations run with foreign keys off, as drizzle-kit's table rebuilds expect (their own PRAGMA is a
  // no-op inside the migrator's transaction): with them on, rebuilding `events` (DROP TABLE, then rename)
  // would cascade and delete every delivery. On from then on, for every statement of the store.
  migrate(drizzle(sqlite), { migrationsFolder: join(packageRoot, 'server', 'drizzle', 'sqlite') });
  sqlite.pragma('foreign_keys = ON');
  return sqlite;
}
