import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('DATABASE_URL', () => {
  it('is unset by default: the SQLite store in DATA_DIR', () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
  });

  it('takes postgres:// and postgresql:// URLs as given', () => {
    for (const url of ['postgres://u:p@db:5432/hookscope', 'postgresql://db/hookscope?sslmode=require']) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it('refuses anything else with a message that names the variable and never repeats the password', () => {
    for (const url of ['mysql://u:s3cret@db/x', 'postgres//u:s3cret@db', 'db:5432', 'postgres://']) {
      let error: unknown;
      try {
        loadConfig({ DATABASE_URL: url });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const { message } = error as Error;
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('postgres://');
      expect(message).not.toContain('s3cret');
    }
  });
});

describe('DATABASE_DIRECT_URL', () => {
  const pooled = 'postgres://u:p@pgbouncer:6432/hookscope';
  const direct = 'postgres://u:p@db:5432/hookscope';

  it('is unset by default, and taken as given beside DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: direct }).databaseDirectUrl).toBeNull();
    const config = loadConfig({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: direct });
    expect([config.databaseUrl, config.databaseDirectUrl]).toEqual([pooled, direct]);
  });

  it('needs DATABASE_URL, and a postgres:// URL, with a message that never repeats the password', () => {
    expect(() => loadConfig({ DATABASE_DIRECT_URL: direct })).toThrow(
      /DATABASE_DIRECT_URL: needs DATABASE_URL/,
    );
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: 'mysql://u:s3cret@db/x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('DATABASE_DIRECT_URL');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
