import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * The PostgreSQL server tests create their databases on (trust auth): TEST_DATABASE_URL, or the local
 * service on 127.0.0.1:5432. Its database is only used to CREATE and DROP the tests' own.
 */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database created for one test run, dropped by `drop` (also when the tests failed). */
export interface TestDatabase {
  /** Its postgres:// URL. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** `url` with its database replaced by `name`. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh random name with `prefix`, safe as an unquoted identifier. */
export const randomName = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

/**
 * Creates an empty database with a random name on the test server, with pg_trgm installed in its
 * `public` schema (stores in other schemas of it find the operator class through search_path).
 */
export async function createTestDatabase(serverUrl = TEST_SERVER_URL): Promise<TestDatabase> {
  const name = randomName('hookscope_test');
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`create database ${admin(name)}`;
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const inside = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await inside`create extension if not exists pg_trgm schema public`;
  } finally {
    await inside.end();
  }
  return {
    url,
    name,
    async drop() {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        // WITH (FORCE): a store a failed test left open must not keep the database alive.
        await dropper`drop database if exists ${dropper(name)} with (force)`;
      } finally {
        await dropper.end();
      }
    },
  };
}
