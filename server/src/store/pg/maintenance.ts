import type { Eviction, Maintenance, MaintenanceOptions } from '../types.js';
import type { LockIngest } from './deletes.js';
import type { Partitions, PgQueryable } from './partitions.js';

/** The store's side of its maintenance. */
export interface MaintenanceParts {
  /** Starts the maintenance (once per store). */
  startMaintenance(options: MaintenanceOptions): Maintenance;
  /** Tells the running maintenance's `onEvicted` (the writer calls it after a commit that evicted). */
  reportEviction(eviction: Eviction): void;
}

/** Creates the upkeep over the pool `db`; nothing runs until `startMaintenance`. */
export function createMaintenance(
  db: PgQueryable,
  partitions: Partitions,
  lockIngest: LockIngest,
): MaintenanceParts {
  void db;
  void partitions;
  void lockIngest;
  let running: MaintenanceOptions | null = null;
  return {
    reportEviction(eviction) {
      running?.onEvicted?.(eviction);
    },
    startMaintenance(options) {
      running = options;
      return {
        runNow: () => Promise.reject(new Error('not implemented yet (pgB)')),
        async stop() {
          running = null;
        },
      };
    },
  };
}
