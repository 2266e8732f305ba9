import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { defineStoreContract } from './contract.js';

// The store contract against the SQLite store on a real file in a temporary folder.
defineStoreContract('sqlite', async ({ maxRejections, maxStoredEvents }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-contract-'));
  let store = createSqliteStore({ dataDir, maxRejections, maxStoredEvents });
  return {
    store,
    async reopen() {
      await store.close();
      store = createSqliteStore({ dataDir, maxRejections, maxStoredEvents });
      return store;
    },
    async dispose() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
