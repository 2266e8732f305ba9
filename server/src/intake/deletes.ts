import type { Live } from '../live/index.js';
import type { LiveTopics } from '../live/topics.js';
import type { DeleteReport, EventDeleter, EventSelection } from '../store/types.js';

/** The deletes people ask for, with what must follow each commit: caches told, then live views. */
export interface EventDeletes {
  /** Deletes the selected retained events; resolves once committed, caches dropped and views told. */
  delete(selection: EventSelection): Promise<DeleteReport>;
}

/** What {@link createEventDeletes} needs; the composition root wires it. */
export interface EventDeletesDeps {
  store: EventDeleter;
  live: Pick<Live<LiveTopics>, 'publish'>;
  /** The retention cut-off in force: only retained events can be deleted (expired ones are the purge's). */
  cutoffMs: () => number;
  /**
   * Wraps the store's delete (its steps commit between other commits): the fold cache holds back
   * folding commits meanwhile and drops the deleted events before the report goes on.
   */
  during?: (run: () => Promise<DeleteReport>) => Promise<DeleteReport>;
  /** After the commit, before anyone hears of it. */
  onDeleted?: (report: DeleteReport) => void;
}

/**
 * Creates the delete path: the one place that deletes and publishes `eventsDeleted`, as the intake is
 * for `eventAdded` (resolvers never publish; they call this through their context).
 */
export function createEventDeletes(deps: EventDeletesDeps): EventDeletes {
  return {
    async delete(selection) {
      const run = () => deps.store.deleteEvents(selection, deps.cutoffMs());
      const report = await (deps.during ? deps.during(run) : run());
      if (report.eventCount > 0) {
        deps.onDeleted?.(report);
        deps.live.publish('eventsDeleted', report);
      }
      return report;
    },
  };
}
