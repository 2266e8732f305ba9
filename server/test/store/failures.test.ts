import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/api/errors.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { classifySqliteError } from '../../src/store/sqlite/errors.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { DATABASE_FILE_NAME } from '../../src/store/sqlite/open.js';
import { StoreUnavailableError, type NewEvent } from '../../src/store/types.js';
import { EXAMPLE_CREATE, postEvent } from '../helpers/server.js';
import { insertUnparsableRow } from '../helpers/broken-row.js';

// How the store's failures reach a client: the store tells "unavailable, retry later" (a full disk, a
// read-only file, an I/O error, a busy database) from everything else (a bug), and only the first is
// answered 503 with Retry-After. docs/operations.md and disk.test.ts cover the full-disk 503 end to end.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-failures-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let serial = 0;
function event(fields: Partial<NewEvent> = {}): NewEvent {
  const n = ++serial;
  return {
    id: `E${String(n).padStart(8, '0')}`,
    receivedAtMs: Date.UTC(2030, 0, 1) + n,
    timeMs: 0,
    action: 'create',
    entityType: 'task',
    entityId: `t${n}`,
    modifiedFields: null,
    deliveryId: null,
    headers: null,
    raw: Buffer.from('{}'),
    ...fields,
  };
}

describe('classifySqliteError', () => {
  it('calls unavailable what retrying can cure, by primary and extended result code, and passes the rest as is', () => {
    for (const code of [
      'SQLITE_FULL',
      'SQLITE_IOERR',
      'SQLITE_IOERR_WRITE',
      'SQLITE_IOERR_FSYNC',
      'SQLITE_READONLY',
      'SQLITE_READONLY_DBMOVED',
      'SQLITE_BUSY',
      'SQLITE_BUSY_SNAPSHOT',
      'SQLITE_LOCKED_SHAREDCACHE',
      'SQLITE_CANTOPEN',
      'SQLITE_NOMEM',
    ]) {
      const cause = new Database.SqliteError(`failed with ${code}`, code);
      const classified = classifySqliteError(cause);
      expect({ code, unavailable: classified instanceof StoreUnavailableError }).toEqual({
        code,
        unavailable: true,
      });
      expect((classified as Error).cause).toBe(cause);
      expect((classified as Error).message).toContain(code);
    }
    for (const error of [
      new Database.SqliteError('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE'),
      new Database.SqliteError('no such table: x', 'SQLITE_ERROR'),
      new Database.SqliteError('bad parameter', 'SQLITE_MISUSE'),
      new Database.SqliteError('malformed', 'SQLITE_CORRUPT'),
      new SyntaxError('Unexpected token'),
      new TypeError('cannot read properties of undefined'),
      'a string',
    ]) {
      expect(classifySqliteError(error)).toBe(error);
    }
  });
});

describe('the SQLite store', () => {
  it('rejects a commit past MAX_DATABASE_BYTES with StoreUnavailableError, stores none of it, and keeps serving', async () => {
    const store = createSqliteStore({ dataDir: tempDir(), maxRejections: 10, maxDatabaseBytes: 1024 * 1024 });
    cleanups.push(() => store.close());
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(100_000) }));
    let failure: unknown = null;
    let stored = 0;
    for (let i = 0; i < 40 && failure === null; i++) {
      const batch = [event({ raw: big }), event({ raw: big })];
      const outcomes = await Promise.allSettled(batch.map((e) => store.insertEvent(e)));
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      if (rejected.length === 0) {
        stored += batch.length;
        continue;
      }
      // One transaction: both rejected, neither stored.
      expect(rejected).toHaveLength(2);
      failure = (rejected[0] as PromiseRejectedResult).reason;
      for (const e of batch) expect(await store.getEvent(e.id, 0)).toBeNull();
    }
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(((failure as Error).cause as { code: string }).code).toBe('SQLITE_FULL');
    expect(stored).toBeGreaterThan(0);
    expect(await store.countEvents({}, 0)).toBe(stored);
    // A small event still fits in the pages the file owns: the store was never broken, only full.
    expect((await store.insertEvent(event())).duplicate).toBe(false);
  });

  it('passes any other failure on as it is: a commit another program makes fail with a trigger', async () => {
    const dataDir = tempDir();
    const store = createSqliteStore({ dataDir, maxRejections: 10 });
    cleanups.push(() => store.close());
    const other = new Database(join(dataDir, DATABASE_FILE_NAME));
    cleanups.push(() => {
      other.close();
    });
    other.exec(
      `CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.entity_id = 'poison'
       BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`,
    );
    const fine = event();
    const poison = event({ entityId: 'poison' });
    const outcomes = await Promise.allSettled([store.insertEvent(fine), store.insertEvent(poison)]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as Error & { code?: string };
      expect(reason).not.toBeInstanceOf(StoreUnavailableError);
      expect(reason.code).toBe('SQLITE_CONSTRAINT_TRIGGER');
    }
    expect(await store.getEvent(fine.id, 0)).toBeNull();
    other.exec('DROP TRIGGER refuse_poison');
    // The rolled-back commit took no position: the first event committed is still "1".
    expect(await store.insertEvent(fine)).toEqual({
      event: { ...fine, sequence: '1', drift: null },
      duplicate: false,
      // The rolled-back commit left no entity row either.
      previousReceivedAtMs: null,
    });
  });
});

describe('the webhook, when the store fails with a bug', () => {
  it('answers 500 with an error id that is in the log, no Retry-After and no "retry later"', async () => {
    const dataDir = tempDir();
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    const server = await startServer(config, { logger });
    cleanups.push(() => server.close());
    // A stored row whose headers are not JSON, under a delivery id: the duplicate check reads it back.
    insertUnparsableRow(dataDir, { id: 'broken', deliveryId: 'msg_broken' });

    const answer = await postEvent(server.url, EXAMPLE_CREATE, { 'webhook-id': 'msg_broken' });
    expect(answer.status).toBe(500);
    expect(answer.headers.get('retry-after')).toBeNull();
    const error = (answer.json as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    const errorId = /^internal error \(id ([a-z0-9]+)\)$/.exec(error.message)?.[1];
    expect(errorId).toBeDefined();
    expect(JSON.stringify(answer.json)).not.toMatch(/retry|JSON|SyntaxError/i);
    const logged = lines.find((line) => line.errorId === errorId);
    expect(logged).toMatchObject({ level: 50, err: { type: 'SyntaxError' } });

    // Only that delivery is broken: the next one is stored.
    expect((await postEvent(server.url, EXAMPLE_CREATE, { 'webhook-id': 'msg_fine' })).status).toBe(201);
  });
});
