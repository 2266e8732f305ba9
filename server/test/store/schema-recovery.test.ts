import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newFieldDrift } from '../../src/domain/schema-learning.js';
import type { Action } from '../../src/domain/types.js';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import type { NewEvent } from '../../src/store/types.js';

// The SQLite store writes its learned rows at most once a second, not in every commit; what a crash
// leaves them short of, the next open learns again from the stored events after the mark. A crash is
// a store never closed: its commits are on disk, its learner's lead in memory is lost.

const BASE_MS = Date.UTC(2030, 0, 1);
let serial = 0;

function event(action: Action, payload: Record<string, unknown>): NewEvent {
  serial += 1;
  return {
    id: `E${String(serial).padStart(8, '0')}`,
    receivedAtMs: BASE_MS + serial * 1_000,
    timeMs: BASE_MS,
    action,
    entityType: 'order',
    entityId: `o${serial % 5}`,
    modifiedFields: null,
    deliveryId: null,
    headers: null,
    raw: Buffer.from(JSON.stringify({ payload })),
  };
}

/** Events learned by the rows on disk (what a crash would leave), read beside the store. */
function learnedOnDisk(dataDir: string): number {
  const db = new Database(join(dataDir, 'hookscope.db'), { readonly: true });
  const row = db.prepare('SELECT coalesce(sum(event_count), 0) AS n FROM schema_shapes').get() as {
    n: number;
  };
  db.close();
  return row.n;
}

describe('learned schemas after a crash (sqlite)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const openStore = (dataDir: string): SqliteStore => {
    const store = createSqliteStore({ dataDir, maxRejections: 10 });
    cleanups.unshift(() => store.close());
    return store;
  };

  it('learns again what the rows lacked: the same schemas, and drift judged as if nothing happened', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-schema-crash-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const crashed = openStore(dataDir);
    for (let commit = 0; commit < 3; commit++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          crashed.insertEvent(
            i % 3 === 0
              ? event('update', { id: `o${i}`, status: i % 2 === 0 ? 'open' : null })
              : event('create', { id: `o${i}`, total: i, lines: [{ sku: 'a', qty: i }] }),
          ),
        ),
      );
    }
    // The rows on disk lag (else this test would prove nothing about learning again).
    expect(learnedOnDisk(dataDir)).toBeLessThan(30);

    const reopened = openStore(dataDir);
    const recovered = await reopened.listSchemas(0);
    // What the never-closed store had learned in memory (its read writes its rows too, after the reopen).
    expect(recovered).toEqual(await crashed.listSchemas(0));
    expect(recovered[0]?.actions.map((a) => [a.action, a.eventCount])).toEqual([
      ['create', 18],
      ['update', 12],
    ]);
    // The shape has settled (30 events): a new field is drift, judged against all 30.
    const next = await reopened.insertEvent(
      event('create', { id: 'o9', total: 1, lines: [{ sku: 'b', qty: 1 }], coupon: 'X' }),
    );
    expect(next.event.drift).toEqual([newFieldDrift('order', 'coupon')]);
  });

  it('learns nothing twice: a clean close and reopen keeps the counts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-schema-crash-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const first = createSqliteStore({ dataDir, maxRejections: 10 });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => first.insertEvent(event('create', { id: `c${i}` }))),
    );
    await first.close();
    expect(learnedOnDisk(dataDir)).toBe(5);
    const again = openStore(dataDir);
    await again.insertEvent(event('create', { id: 'c9' }));
    expect((await again.getSchema('order', 0))?.actions.map((a) => a.eventCount)).toEqual([6]);
  });
});
