import type { Clock } from '../shared/clock.js';
import type { Live } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { MaintenanceOptions, PurgeReport } from '../store/types.js';

/** The retention rule (EVENT_RETENTION): what every read hides and every purge deletes. */
export interface Retention {
  /** Events received before this instant (epoch ms) are expired: `now − retention`. */
  cutoffMs(): number;
}

/** What the rule needs. */
export interface RetentionDeps {
  clock: Clock;
  retentionMs: number;
}

/** Creates the rule over the injected clock. */
export function createRetention({ clock, retentionMs }: RetentionDeps): Retention {
  return { cutoffMs: () => clock.now() - retentionMs };
}

/** What {@link retentionMaintenance} wires together. */
export interface RetentionMaintenanceDeps {
  retention: Retention;
  live: Live<LiveTopics>;
  purgeIntervalMs: number;
  /** After a purge that removed something, once live readers have been told. */
  onPurged?: (report: PurgeReport) => void;
  onError?: (error: unknown) => void;
}

/**
 * The maintenance options that apply the rule in any store: purges at the rule's cut-off, and what a
 * purge or an eviction removed is published as `eventsPurged`, so that views drop what is gone.
 */
export function retentionMaintenance(deps: RetentionMaintenanceDeps): MaintenanceOptions {
  const { live } = deps;
  return {
    cutoffMs: deps.retention.cutoffMs,
    purgeIntervalMs: deps.purgeIntervalMs,
    onPurged(report) {
      live.publish('eventsPurged', report);
      deps.onPurged?.(report);
    },
    onEvicted: ({ eventCount, beforeMs }) =>
      live.publish('eventsPurged', { eventCount, rejectionCount: 0, beforeMs }),
    onError: deps.onError,
  };
}
