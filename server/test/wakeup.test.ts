import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalWakeup, headMessage, type Wakeup } from '../src/live/wakeup.js';
import { createPgWakeup } from '../src/live/wakeup-pg.js';
import { createRedisWakeup } from '../src/live/wakeup-redis.js';
import { waitFor } from './helpers/server.js';
import { TEST_REDIS_URL as REDIS_URL } from './helpers/redis.js';

// The machine's shared services (COMMON.md); every test uses channel and connection names of its own.
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What a wake-up instance received, in order. */
function record(wakeup: Wakeup): { heads: string[]; reconnects: number } {
  const seen = { heads: [] as string[], reconnects: 0 };
  wakeup.onWake((head) => seen.heads.push(head));
  wakeup.onReconnect(() => (seen.reconnects += 1));
  return seen;
}

/** A driver of the suite: makes instances on one channel, and cuts an instance's listening connection. */
interface Driver {
  name: string;
  /** `tag` names the listening connection, so that `cut` finds it; `origin` is the instance's own. */
  open(channel: string, tag: string, origin?: string): Promise<Wakeup>;
  cut(tag: string): Promise<void>;
}

const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => undefined });
const redisAdmin = createClient({ url: REDIS_URL });
afterAll(async () => {
  await admin.end({ timeout: 1 });
  if (redisAdmin.isOpen) await redisAdmin.close();
});

const pgDriver: Driver = {
  name: 'PostgreSQL LISTEN/NOTIFY',
  open: (channel, tag, origin) =>
    createPgWakeup({
      databaseUrl: DATABASE_URL,
      channel,
      applicationName: tag,
      ...(origin ? { origin } : {}),
    }),
  async cut(tag) {
    const rows = await admin<{ terminated: boolean }[]>`
      select pg_terminate_backend(pid) as terminated from pg_stat_activity where application_name = ${tag}`;
    expect(rows.map((row) => row.terminated)).toEqual([true]);
  },
};

const redisDriver: Driver = {
  name: 'Redis pub/sub',
  open: (channel, tag, origin) =>
    createRedisWakeup({ redisUrl: REDIS_URL, channel, clientName: tag, ...(origin ? { origin } : {}) }),
  async cut(tag) {
    if (!redisAdmin.isOpen) await redisAdmin.connect();
    const list = await redisAdmin.sendCommand<string>(['CLIENT', 'LIST']);
    const ids = list
      .split('\n')
      .filter((line) => line.includes(` name=${tag} `))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1] as string);
    expect(ids).toHaveLength(1);
    await redisAdmin.sendCommand(['CLIENT', 'KILL', 'ID', ids[0] as string]);
  },
};

const unique = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

describe.each([pgDriver, redisDriver])('wake-up over $name', (driver) => {
  it('a notify from one instance wakes every instance on the channel with the head, in order, and no other channel', async () => {
    const channel = unique('hs_wake_test');
    const a = await driver.open(channel, unique('hs_a'));
    const b = await driver.open(channel, unique('hs_b'));
    const other = await driver.open(unique('hs_wake_other'), unique('hs_c'));
    try {
      const seenA = record(a);
      const seenB = record(b);
      const seenOther = record(other);
      a.notify('41');
      a.notify('42');
      await waitFor(() => seenB.heads.length === 2 && seenA.heads.length === 2);
      expect(seenB.heads).toEqual(['41', '42']);
      expect(seenA.heads).toEqual(['41', '42']);
      b.notify('43');
      await waitFor(() => seenA.heads.length === 3);
      expect(seenA.heads).toEqual(['41', '42', '43']);
      expect(seenOther.heads).toEqual([]);
      expect([seenA.reconnects, seenB.reconnects]).toEqual([0, 0]);
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  it('a head message with an origin wakes every instance but that origin, to its head', async () => {
    const channel = unique('hs_wake_test');
    const a = await driver.open(channel, unique('hs_a'), 'origin-a');
    const b = await driver.open(channel, unique('hs_b'), 'origin-b');
    try {
      const seenA = record(a);
      const seenB = record(b);
      // What a PostgreSQL store announcing for instance a sends from its ingest transaction.
      a.notify(headMessage('5', 'origin-a'));
      b.notify(headMessage('6', 'origin-b'));
      await waitFor(() => seenA.heads.length === 1 && seenB.heads.length === 1);
      // Both messages have arrived everywhere once each instance saw the other's (one channel, in order
      // per sender); a plain head after them shows that nothing else was passed on.
      a.notify('7');
      await waitFor(() => seenA.heads.length === 2 && seenB.heads.length === 2);
      expect(seenA.heads).toEqual(['6', '7']);
      expect(seenB.heads).toEqual(['5', '7']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a delete reaches the other instances, not the sender; ids too many for one message travel as null', async () => {
    const channel = unique('hs_wake_test');
    const a = await driver.open(channel, unique('hs_a'));
    const b = await driver.open(channel, unique('hs_b'));
    try {
      const onA: unknown[] = [];
      const onB: unknown[] = [];
      a.onDeleted((report) => onA.push(report));
      b.onDeleted((report) => onB.push(report));
      const small = { eventCount: 1, eventIds: ['e1'], entityIds: ['task-1'] };
      const many = Array.from({ length: 1_000 }, (_, i) => `01JZ${String(i).padStart(22, '0')}`);
      a.notifyDeleted(small);
      a.notifyDeleted({ eventCount: 1_000, eventIds: many, entityIds: many });
      await waitFor(() => onB.length === 2);
      expect(onB).toEqual([small, { eventCount: 1_000, eventIds: null, entityIds: null }]);
      // The sender's own announcement came back to it too (same channel) and was skipped: a head after
      // it arrives, and nothing else did.
      const heads: string[] = [];
      a.onWake((head) => heads.push(head));
      b.notify('9');
      await waitFor(() => heads.length === 1);
      expect(onA).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('onReconnect fires once the listening connection is cut and back, and wake-ups flow again after it', async () => {
    const channel = unique('hs_wake_test');
    const tag = unique('hs_listener');
    const listener = await driver.open(channel, tag);
    const sender = await driver.open(channel, unique('hs_sender'));
    try {
      const seen = record(listener);
      await driver.cut(tag);
      await waitFor(() => seen.reconnects === 1, 10_000);
      sender.notify('7');
      await waitFor(() => seen.heads.includes('7'));
      expect(seen).toEqual({ heads: ['7'], reconnects: 1 });
    } finally {
      await Promise.all([listener.close(), sender.close()]);
    }
  });
});

describe('wake-up in one process', () => {
  it('a notify wakes the listeners after the current turn, and none after close', async () => {
    const wakeup = createLocalWakeup();
    const seen = record(wakeup);
    wakeup.notify('1');
    expect(seen.heads).toEqual([]);
    await waitFor(() => seen.heads.length === 1);
    expect(seen.heads).toEqual(['1']);
    await wakeup.close();
    wakeup.notify('2');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.heads).toEqual(['1']);
  });

  it('a listener that throws does not keep the others from being woken', async () => {
    const errors: unknown[] = [];
    const wakeup = createLocalWakeup((error) => errors.push(error));
    wakeup.onWake(() => {
      throw new Error('boom');
    });
    const seen = record(wakeup);
    wakeup.notify('5');
    await waitFor(() => seen.heads.length === 1);
    expect(errors).toHaveLength(1);
  });
});

describe('a channel that cannot be reached at start', () => {
  it('is a start-up error, not a start that hangs', async () => {
    // Port 1 on loopback: nothing listens there.
    await expect(createRedisWakeup({ redisUrl: 'redis://127.0.0.1:1', channel: 'hs_down' })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await expect(
      createPgWakeup({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test', channel: 'hs_down' }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
