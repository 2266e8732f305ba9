import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { spawnServer } from './helpers/process.js';
import { EXAMPLE_CREATE, postCreated } from './helpers/server.js';

// "Acknowledged means on disk", observed from outside: the real server runs under strace, which records
// every write to the WAL file, every fsync/fdatasync of it and every write to a socket, in the order the
// kernel saw them. For each 201 the process wrote, the event's first frame in the WAL (its id is in the
// row) must come before the start of a successful sync of the WAL, and that sync must have finished before
// the 201 was written: a power cut after the answer cannot lose the event.

interface Call {
  name: string;
  /** The call's arguments as strace printed them (buffers included, up to -s bytes). */
  text: string;
  /** Line indexes of its entry and of its return in the trace (equal when strace printed it whole). */
  start: number;
  end: number;
  result: string;
}

/** The calls of a `strace -f -y -o` trace, with unfinished/resumed pairs joined. */
function parseTrace(trace: string): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, Omit<Call, 'end' | 'result'>>();
  trace.split('\n').forEach((line, index) => {
    const resumed = /^(\d+) +<\.\.\. (\w+) resumed>(.*)$/.exec(line);
    if (resumed) {
      const [, pid, name, rest] = resumed as unknown as [string, string, string, string];
      const entry = open.get(pid);
      open.delete(pid);
      if (entry?.name === name) calls.push({ ...entry, text: entry.text + rest, end: index, result: rest });
      return;
    }
    const started = /^(\d+) +(\w+)\((.*)$/.exec(line);
    if (!started) return;
    const [, pid, name, text] = started as unknown as [string, string, string, string];
    if (text.endsWith('<unfinished ...>')) open.set(pid, { name, text, start: index });
    else calls.push({ name, text, start: index, end: index, result: text });
  });
  return calls;
}

it('answers 201 only after the event reached the WAL and a sync of the WAL completed (strace)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-walsync-'));
  const tracePath = join(dataDir, 'trace.txt');
  const strace = [
    'strace',
    '-f',
    '--seccomp-bpf',
    '-y',
    '-s',
    '8192',
    '-e',
    'trace=pwrite64,pwritev,write,writev,fsync,fdatasync',
    '-o',
    tracePath,
  ];
  const server = await spawnServer(dataDir, {}, undefined, strace);
  try {
    const ids: string[] = [];
    // Waves of concurrent posts, so that group commits hold several events and syncs overlap commits.
    for (let wave = 0; wave < 4; wave++) {
      const posts = Array.from({ length: 15 }, (_, i) =>
        postCreated(server.url, {
          ...EXAMPLE_CREATE,
          payload: { ...EXAMPLE_CREATE.payload, name: `wave ${wave} post ${i}` },
        }),
      );
      ids.push(...(await Promise.all(posts)));
    }
    // strace's child is the server: ending it ends the trace (strace exits with it).
    const [nodePid] = readFileSync(`/proc/${server.child.pid}/task/${server.child.pid}/children`, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
    process.kill(nodePid as number, 'SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });

    const calls = parseTrace(readFileSync(tracePath, 'utf8'));
    const toWal = (call: Call) => call.text.includes('-wal>');
    const walWrites = calls.filter(
      (call) => /^(pwrite64|pwritev|write|writev)$/.test(call.name) && toWal(call),
    );
    const syncs = calls.filter((call) => /^f(data)?sync$/.test(call.name) && toWal(call));
    expect(syncs.every((sync) => / = 0$/.test(sync.result))).toBe(true);
    const answered = calls.filter(
      (call) => /^(write|writev)$/.test(call.name) && call.text.includes('HTTP/1.1 201'),
    );
    const checked = new Set<string>();
    for (const answer of answered) {
      const id = /location: \/events\/(\w+)/.exec(answer.text)?.[1];
      if (id === undefined || !ids.includes(id)) continue;
      checked.add(id);
      // The row holds the id as text: the first WAL write that carries it is the event's first frame.
      const frame = walWrites.find((call) => call.text.includes(id));
      expect(frame, `event ${id} was answered 201 before any WAL write held it`).toBeDefined();
      const synced = syncs.some((sync) => sync.start > (frame as Call).end && sync.end < answer.start);
      expect(synced, `event ${id} was answered 201 before a sync of the WAL after its frame`).toBe(true);
    }
    // Every posted event's answer was found in the trace and checked.
    expect([...checked].sort()).toEqual([...ids].sort());
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    if (!process.env.KEEP_TRACE) rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
