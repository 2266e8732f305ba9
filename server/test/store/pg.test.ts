import { afterAll, beforeAll } from 'vitest';
import { createPgStore, type PgStoreOptions } from '../../src/store/pg/index.js';
import { createTestDatabase, randomName, type TestDatabase } from '../helpers/pg.js';
import { defineStoreContract } from './contract.js';

// The store contract against the PostgreSQL store on the local server: one fresh database per run
// (dropped afterwards, also when tests fail), one PostgreSQL schema per store inside it. The suite
// stamps receivedAtMs and ids itself, so the stores keep the caller's ('caller' stamp).

let database: TestDatabase | null = null;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

defineStoreContract('postgres', async ({ maxRejections, maxStoredEvents }) => {
  if (!database) throw new Error('the test database was not created');
  const options: PgStoreOptions = {
    databaseUrl: database.url,
    maxRejections,
    maxStoredEvents,
    schema: randomName('store'),
    receivedAtStamp: 'caller',
    maxConnections: 4,
  };
  let store = await createPgStore(options);
  return {
    store,
    async reopen() {
      await store.close();
      store = await createPgStore(options);
      return store;
    },
    // The schema goes with the database at the end of the run.
    dispose: () => store.close(),
  };
});
