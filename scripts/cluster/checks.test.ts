// The cluster test's verdict must catch what it exists to catch: each check is fed a run that lost,
// doubled or reordered something, and must fail it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haproxyConfig } from './balancer.js';
import { chaosPlan } from './chaos.js';
import { checkAcknowledged, checkMoved, checkSequences, checkSubscriber, type StoredRow } from './checks.js';
import type { SubscriberRecord } from './subscribers.js';

const rows = (n: number): StoredRow[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `e${i + 1}`, deliveryId: `w${i + 1}`, sequence: i + 1 }));

function subscriber(received: number[], extra: Partial<SubscriberRecord> = {}): SubscriberRecord {
  return {
    name: 's',
    via: 'balancer',
    firstAfter: null,
    received,
    replicas: ['r1'],
    errors: [],
    completed: false,
    ...extra,
  };
}

describe('cluster checks', () => {
  it('passes a run where every acknowledged id is stored once under its answered id', () => {
    const acked = new Map([
      ['w1', 'e1'],
      ['w2', 'e2'],
    ]);
    expect(checkAcknowledged(acked, rows(3)).ok).toBe(true);
  });

  it('fails an acknowledged id that is missing, stored twice, or stored under another event id', () => {
    expect(checkAcknowledged(new Map([['w9', 'e9']]), rows(3))).toMatchObject({ ok: false });
    const doubled = [...rows(2), { eventId: 'e3', deliveryId: 'w1', sequence: 3 }];
    expect(checkAcknowledged(new Map([['w1', 'e1']]), doubled).detail).toMatch(/stored more than once/);
    expect(checkAcknowledged(new Map([['w1', 'e2']]), rows(2)).detail).toMatch(/another event id/);
  });

  it('finds gaps and repeats in the stored positions', () => {
    expect(checkSequences(rows(5))).toMatchObject({ ok: true, last: 5 });
    const gap = rows(5).filter((r) => r.sequence !== 3);
    expect(checkSequences(gap).detail).toMatch(/missing 3/);
    expect(checkSequences([...rows(2), { eventId: 'x', deliveryId: null, sequence: 2 }]).detail).toMatch(
      /repeated 2/,
    );
    expect(checkSequences([]).ok).toBe(false);
  });

  it('holds a subscriber to every position from its cursor to the end, once, in order', () => {
    const stored = [1, 2, 3, 4, 5];
    expect(checkSubscriber(subscriber([2, 3, 4, 5]), stored, 5).ok).toBe(true);
    expect(checkSubscriber(subscriber([3, 4, 5], { firstAfter: '1' }), stored, 5).detail).toMatch(
      /missing 1 \(2\)/,
    );
    expect(checkSubscriber(subscriber([2, 3, 3, 4, 5]), stored, 5).detail).toMatch(/duplicates 1/);
    expect(checkSubscriber(subscriber([2, 4, 3, 5]), stored, 5).detail).toMatch(/out of order/);
    expect(checkSubscriber(subscriber([2, 3]), stored, 5).detail).toMatch(/missing 2 \(4, 5\)/);
    const resync = subscriber([2], { errors: ['RESYNC_REQUIRED: too far behind'] });
    expect(checkSubscriber(resync, stored, 5)).toMatchObject({ ok: false, detail: /RESYNC_REQUIRED/ });
  });

  it('counts the subscribers served by more than one replica', () => {
    const records = [
      subscriber([1], { replicas: ['r1', 'r2'] }),
      subscriber([1], { replicas: ['r3', 'r3'] }),
    ];
    expect(checkMoved(records, 1)).toMatchObject({ ok: true, detail: /^1 of 2/ });
    expect(checkMoved(records.slice(1), 1).ok).toBe(false);
  });

  it('plans every kill plus one drain, one PostgreSQL restart and a Redis restart only with Redis', () => {
    const plan = chaosPlan(4, { postgres: true, redis: true });
    expect(plan.filter((s) => s === 'kill')).toHaveLength(4);
    expect(plan.filter((s) => s !== 'kill').sort()).toEqual(['drain', 'postgres', 'redis']);
    expect(chaosPlan(3, { postgres: true, redis: false })).not.toContain('redis');
    expect(plan[0]).toBe('kill');
    expect(chaosPlan(2, { postgres: false, redis: false }).sort()).toEqual(['drain', 'kill', 'kill']);
  });

  it('writes a balancer configuration that health-checks /readyz and names every replica', () => {
    const config = haproxyConfig(8000, [
      { name: 'r1', port: 4101 },
      { name: 'r2', port: 4102 },
    ]);
    expect(config).toMatch(/option httpchk GET \/readyz/);
    expect(config).toMatch(/balance roundrobin/);
    expect(config).toMatch(/server r1 127\.0\.0\.1:4101/);
    expect(config).toMatch(/server r2 127\.0\.0\.1:4102/);
    expect(config).not.toMatch(/cookie|stick/);
  });

  // .ci/run installs haproxy; a machine without it cannot judge the file, so the check is skipped there.
  const haproxy = spawnSync('haproxy', ['-v']).status === 0;
  it.skipIf(!haproxy)(
    'has both configurations (generated, deploy/haproxy.cfg) accepted by haproxy -c',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'hookscope-haproxy-'));
      try {
        const file = join(dir, 'haproxy.cfg');
        writeFileSync(file, haproxyConfig(18_000, [{ name: 'r1', port: 18_001 }]));
        for (const config of [file, 'deploy/haproxy.cfg']) {
          const check = spawnSync('haproxy', ['-c', '-f', config], { encoding: 'utf8' });
          expect(check.status, `${config}: ${check.stdout}${check.stderr}`).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
