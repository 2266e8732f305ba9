import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CREATE, graphql, postEvent, startTestServer, type TestServer } from './helpers/server.js';

// A real file system that really fills up: a small tmpfs. Mounting needs root, which CI (and this project's
// development machines) have; elsewhere this test fails with mount's error. (A read-only remount cannot be
// tested this way: the kernel refuses it while the database files are open for writing.)
const mountPoint = mkdtempSync(join(tmpdir(), 'hookscope-disk-'));
const mount = (...args: string[]): void => {
  execFileSync('mount', args, { stdio: 'pipe' });
};

let t: TestServer;
beforeAll(async () => {
  mount('-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint);
  t = await startTestServer({ dataDir: join(mountPoint, 'data') });
});
afterAll(async () => {
  await t?.close();
  execFileSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Posts a small event and returns its answer and the exact body sent, to compare with what is stored. */
async function post(id: string, pad = '') {
  const body = { ...EXAMPLE_CREATE, payload: { id, ...(pad ? { pad } : {}) } };
  return { answer: await postEvent(t.url, body), raw: JSON.stringify(body) };
}

describe('when the disk cannot take a write', () => {
  it('answers 503 with Retry-After while the disk is full, never 2xx, and recovers when space returns', async () => {
    /** Raw bodies of every event answered 201, by id: all of them must read back unchanged at the end. */
    const acknowledged = new Map<string, string>();
    const before = await post('disk-before-full');
    expect(before.answer.status).toBe(201);
    acknowledged.set(String(before.answer.json.id), before.raw);

    // Fill every byte: writeFileSync throws ENOSPC once the tmpfs is full, leaving the partial file behind.
    // Were the tmpfs larger than the filler, the disk would not be full and nothing below would be proven.
    const filler = join(mountPoint, 'filler');
    let fillError: unknown = null;
    try {
      writeFileSync(filler, Buffer.alloc(16 * 1024 * 1024));
    } catch (error) {
      fillError = error;
    }
    expect(fillError).toMatchObject({ code: 'ENOSPC' });

    let refused = 0;
    for (let i = 0; i < 20 && refused === 0; i++) {
      // A few small events may still fit in pages SQLite already owns; keep going until the disk says no.
      const { answer, raw } = await post(`disk-full-${i}`, 'x'.repeat(8000));
      expect([201, 503]).toContain(answer.status);
      if (answer.status === 201) acknowledged.set(String(answer.json.id), raw);
      if (answer.status === 503) {
        refused++;
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(answer.json).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
        expect((await fetch(`${t.url}/aggregates/disk-full-${i}`)).status).toBe(404);
      }
    }
    expect(refused).toBe(1);

    rmSync(filler);
    const after = await post('disk-after-full');
    expect(after.answer.status).toBe(201);
    acknowledged.set(String(after.answer.json.id), after.raw);
    expect((await fetch(`${t.url}/aggregates/disk-after-full`)).status).toBe(200);

    // What was acknowledged before, during and after the full disk is all there, byte for byte, and
    // nothing else is: the refused write left no partial row behind.
    for (const [id, raw] of acknowledged) {
      const response = await fetch(`${t.url}/events/${id}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { raw: string }).raw).toBe(raw);
    }
    const count = await graphql<{ events: { totalCount: number } }>(t.url, '{ events { totalCount } }');
    expect(count.data.events.totalCount).toBe(acknowledged.size);
    const db = new Database(join(t.dataDir, 'hookscope.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
