import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CREATE, postEvent, startTestServer, type TestServer } from './helpers/server.js';

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

async function post(id: string) {
  return postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id } });
}

describe('when the disk cannot take a write', () => {
  it('answers 503 with Retry-After while the disk is full, never 2xx, and recovers when space returns', async () => {
    expect((await post('disk-before-full')).status).toBe(201);
    const filler = join(mountPoint, 'filler');
    // Fill every byte: writeFileSync throws ENOSPC once the tmpfs is full, leaving the partial file behind.
    try {
      writeFileSync(filler, Buffer.alloc(16 * 1024 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    let refused = 0;
    for (let i = 0; i < 20 && refused === 0; i++) {
      // A few small events may still fit in pages SQLite already owns; keep going until the disk says no.
      const answer = await postEvent(t.url, {
        ...EXAMPLE_CREATE,
        payload: { id: `disk-full-${i}`, pad: 'x'.repeat(8000) },
      });
      expect([201, 503]).toContain(answer.status);
      if (answer.status === 503) {
        refused++;
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(answer.json).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
        expect((await fetch(`${t.url}/aggregates/disk-full-${i}`)).status).toBe(404);
      }
    }
    expect(refused).toBe(1);
    rmSync(filler);
    expect((await post('disk-after-full')).status).toBe(201);
    expect((await fetch(`${t.url}/aggregates/disk-after-full`)).status).toBe(200);
  });
});
