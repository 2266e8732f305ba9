import { describe, expect, it } from 'vitest';
import { createReadiness } from '../../src/http/readiness.js';

describe('readiness', () => {
  it('is ready without a ping (SQLite) and draining for good once marked', async () => {
    const readiness = createReadiness();
    expect(await readiness.check()).toEqual({ ready: true });
    readiness.markDraining();
    expect(await readiness.check()).toEqual({
      ready: false,
      status: 'draining',
      reason: 'the server is shutting down',
    });
  });

  it('answers unavailable when the ping rejects or is slower than its timeout, and reuses a result for cacheMs', async () => {
    let nowMs = 0;
    let pings = 0;
    let behaviour: 'ok' | 'fail' | 'hang' = 'fail';
    const readiness = createReadiness({
      pingTimeoutMs: 50,
      cacheMs: 1_000,
      now: () => nowMs,
      ping: () => {
        pings += 1;
        if (behaviour === 'fail') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
        if (behaviour === 'hang') return new Promise(() => undefined);
        return Promise.resolve();
      },
    });
    expect(await readiness.check()).toEqual({
      ready: false,
      status: 'unavailable',
      reason: 'the database cannot be reached: connect ECONNREFUSED 127.0.0.1:5432',
    });
    behaviour = 'ok';
    // Within cacheMs: the same answer, no second round trip.
    expect((await readiness.check()).ready).toBe(false);
    expect(pings).toBe(1);
    nowMs += 1_000;
    // Concurrent probes share one ping.
    const states = await Promise.all([readiness.check(), readiness.check(), readiness.check()]);
    expect(states).toEqual([{ ready: true }, { ready: true }, { ready: true }]);
    expect(pings).toBe(2);
    nowMs += 1_000;
    behaviour = 'hang';
    expect(await readiness.check()).toEqual({
      ready: false,
      status: 'unavailable',
      reason: 'the database cannot be reached: no answer within 50 ms',
    });
  });
});
