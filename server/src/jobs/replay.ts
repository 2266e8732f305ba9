import type {
  DeliveryRecorder,
  Replayer,
  ReplayRefusal,
  ReplaySelection,
  ReplaySummary,
} from '../domain/deliveries.js';
import type { StoredEvent } from '../domain/records.js';
import type { EntityReader } from '../read/entities.js';
import type { EventReader } from '../store/types.js';
import type { Sender } from './sender.js';

/** Replays running at once at most: each one is a stream of outgoing requests. */
export const MAX_CONCURRENT_REPLAYS = 4;
/** Page size of the walk over a filter's events. */
const WALK_PAGE = 200;

/** What the replayer needs. */
export interface ReplayerDeps {
  reads: Pick<EventReader, 'getEvent' | 'listEvents' | 'countEventsAtMost'>;
  entities: Pick<EntityReader, 'fold'>;
  sender: Sender;
  recorder: DeliveryRecorder;
  cutoffMs: () => number;
  /** Events one replay may send at most (REPLAY_MAX_EVENTS). */
  maxEvents: number;
  /** How long `replay` waits for the attempts before answering (REPLAY_WAIT); the rest go on. */
  waitMs: number;
  /** A replay stopped by a failure of the store (it is logged, the replay ends). */
  onError: (error: unknown) => void;
}

/** The replayer, and how to stop its running replays (on shutdown). */
export interface RunningReplayer extends Replayer {
  /** Aborts the attempts under way, lets the running replays end, and refuses new ones. */
  close(): Promise<void>;
}

const refuse = (reason: ReplayRefusal['reason'], argument: string, message: string): ReplayRefusal => ({
  kind: 'refused',
  reason,
  argument,
  message,
});

const byArrival = (a: StoredEvent, b: StoredEvent): number =>
  a.receivedAtMs - b.receivedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Creates the replayer (replayEvents). */
export function createReplayer(deps: ReplayerDeps): RunningReplayer {
  const { reads, entities, sender, recorder, cutoffMs, maxEvents } = deps;
  const abort = new AbortController();
  const running = new Set<Promise<void>>();
  /** `count`: how many it selects, or a phrase ("more than 1000") when only that is known. */
  const tooMany = (argument: string, count: number | string) =>
    refuse(
      'too-many-events',
      argument,
      `selects ${count} events, more than one replay sends (REPLAY_MAX_EVENTS=${maxEvents}); narrow it`,
    );

  /** The chosen events in sending order, or why not. */
  async function choose(selection: ReplaySelection, cutoff: number): Promise<StoredEvent[] | ReplayRefusal> {
    switch (selection.kind) {
      case 'ids': {
        const ids = [...new Set(selection.ids)];
        if (ids.length > maxEvents) return tooMany('ids', ids.length);
        const found = await Promise.all(ids.map((id) => reads.getEvent(id, cutoff)));
        const missing = ids.filter((_id, i) => found[i] === null);
        if (missing.length > 0) {
          const shown = missing.slice(0, 5).map((id) => `"${id}"`);
          return refuse(
            'not-found',
            'ids',
            `no retained event with id ${shown.join(', ')}${missing.length > 5 ? ', ...' : ''}`,
          );
        }
        return (found as StoredEvent[]).sort(byArrival);
      }
      case 'filter': {
        // Only whether it is more than one replay sends: a bounded count (an exact one of a common
        // search term confirms every candidate). One that stopped early, below the bound, decides
        // nothing: the walk below stops past maxEvents.
        const count = await reads.countEventsAtMost(selection.query, maxEvents, cutoff);
        if (count.exact && count.value > maxEvents) return tooMany('filter', count.value);
        if (!count.exact && count.value === maxEvents) return tooMany('filter', `more than ${maxEvents}`);
        const newestFirst: StoredEvent[] = [];
        let after = null;
        for (;;) {
          const page = await reads.listEvents(selection.query, WALK_PAGE, after, cutoff);
          newestFirst.push(...page.rows);
          const last = page.rows.at(-1);
          // Events arriving during the walk come before its cursor (newest first): the walk still ends.
          if (!page.hasNextPage || !last || newestFirst.length > maxEvents) break;
          after = { atMs: last.receivedAtMs, id: last.id };
        }
        if (newestFirst.length > maxEvents) return tooMany('filter', newestFirst.length);
        return newestFirst.reverse();
      }
      case 'entity': {
        const folded = await entities.fold(selection.entityId, cutoff);
        if (!folded)
          return refuse('not-found', 'entityId', `no retained event of entity "${selection.entityId}"`);
        if (folded.fold.order.length > maxEvents) return tooMany('entityId', folded.fold.order.length);
        // The entity's stream in fold order: the order its state was built in.
        return folded.fold.order.flatMap(({ id }) => {
          const event = folded.events.get(id);
          return event ? [event] : [];
        });
      }
      default: {
        const never: never = selection;
        throw new Error(`unknown replay selection ${JSON.stringify(never)}`);
      }
    }
  }

  /** Sends `events` one after the other, updating `summary` as each attempt is recorded. */
  async function run(events: StoredEvent[], target: URL, summary: ReplaySummary): Promise<void> {
    for (const event of events) {
      if (abort.signal.aborted) return;
      const outcome = await sender.send(event, target, abort.signal);
      const delivery = await recorder.record({
        ...outcome,
        eventId: event.id,
        source: 'replay',
        target: target.href,
      });
      if (!delivery) {
        summary.skipped += 1;
        continue;
      }
      summary.deliveries.push(delivery);
      summary.attempted += 1;
      if (delivery.status !== null && delivery.status >= 200 && delivery.status < 300) summary.succeeded += 1;
      else summary.failed += 1;
    }
    summary.complete = true;
  }

  return {
    async replay(selection, targetText) {
      if (!URL.canParse(targetText))
        return refuse('target-invalid', 'target', `"${targetText}" is not an absolute URL`);
      const target = new URL(targetText);
      if (!sender.allows(target)) {
        return refuse(
          'target-not-allowed',
          'target',
          `${target.href} is not inside FORWARD_ALLOWED_TARGETS; nothing was sent`,
        );
      }
      if (abort.signal.aborted) return refuse('busy', 'target', 'the server is shutting down');
      if (running.size >= MAX_CONCURRENT_REPLAYS) {
        return refuse(
          'busy',
          'target',
          `${MAX_CONCURRENT_REPLAYS} replays are running; try again when one ends`,
        );
      }
      const chosen = await choose(selection, cutoffMs());
      if (!Array.isArray(chosen)) return chosen;
      const summary: ReplaySummary = {
        kind: 'summary',
        target: target.href,
        eventCount: chosen.length,
        attempted: 0,
        succeeded: 0,
        failed: 0,
        skipped: 0,
        complete: chosen.length === 0,
        deliveries: [],
      };
      if (chosen.length === 0) return summary;
      const job = run(chosen, target, summary).catch(deps.onError);
      running.add(job);
      void job.finally(() => running.delete(job));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([job, new Promise<void>((resolve) => (timer = setTimeout(resolve, deps.waitMs)))]);
      clearTimeout(timer);
      // A copy: the run goes on updating its own after the answer.
      return { ...summary, deliveries: [...summary.deliveries] };
    },
    async close() {
      abort.abort();
      await Promise.all(running);
    },
  };
}
