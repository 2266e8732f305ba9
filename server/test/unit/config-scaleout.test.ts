import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const PG = 'postgres://hookscope@db:5432/hookscope';

describe('scale-out settings', () => {
  it('defaults: SQLite in one process, no Redis, no drain delay', () => {
    const config = loadConfig({});
    expect([config.databaseUrl, config.redisUrl, config.drainDelayMs]).toEqual([null, null, 0]);
  });

  it('reads DATABASE_URL, REDIS_URL (redis:// or rediss://) and DRAIN_DELAY', () => {
    const config = loadConfig({ DATABASE_URL: PG, REDIS_URL: 'rediss://cache:6380/0', DRAIN_DELAY: '5s' });
    expect([config.databaseUrl, config.redisUrl, config.drainDelayMs]).toEqual([
      PG,
      'rediss://cache:6380/0',
      5_000,
    ]);
  });

  it('refuses REDIS_URL without DATABASE_URL, saying why', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      new ConfigError(
        'invalid configuration:\n  REDIS_URL: needs DATABASE_URL too (Redis only wakes replicas that share a PostgreSQL database; one SQLite process needs neither)',
      ),
    );
  });

  it.each([
    ['REDIS_URL', 'http://cache:6379', 'REDIS_URL: must be a redis:// or rediss:// URL (rediss: TLS)'],
    ['DATABASE_URL', 'mysql://db/x', 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    ['DRAIN_DELAY', '2 minutes', 'DRAIN_DELAY: "2 minutes" is not a duration'],
    ['DRAIN_DELAY', '2m', 'DRAIN_DELAY: must be between 0 ms and 60000 ms, got 120000 ms'],
  ])('names %s when it is malformed (%s)', (name, value, message) => {
    const env = { DATABASE_URL: PG, [name]: value };
    expect(() => loadConfig(env)).toThrow(message);
  });
});
