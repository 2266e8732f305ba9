import type { Eviction, Maintenance, MaintenanceOptions } from '../types.js';
import type { PgContext } from './context.js';
import type { Partitions } from './partitions.js';

/** The store's side of its maintenance. */
export interface MaintenanceParts {
  /** Starts the maintenance (once per store). */
  startMaintenance(options: MaintenanceOptions): Maintenance;
  /** Tells the running maintenance's `onEvicted` (the writer calls it after a commit that evicted). */
  reportEviction(eviction: Eviction): void;
}

/** Creates the upkeep of the store; nothing runs until `startMaintenance`. */
export function createMaintenance(ctx: PgContext, partitions: Partitions): MaintenanceParts {
  void ctx;
  void partitions;
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
