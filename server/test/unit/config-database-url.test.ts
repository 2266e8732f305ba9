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
