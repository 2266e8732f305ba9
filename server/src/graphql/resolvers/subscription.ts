import { ResyncRequiredError } from '../../api/errors.js';
import { matchesEventQuery, toEventQuery } from '../../api/filter-input.js';
import { compareSequences, isSequence, MAX_RESUME_EVENTS } from '../../domain/sequence.js';
import { filterSubscription, type Subscription as LiveSubscription } from '../../live/index.js';
import { resumeSubscription } from '../../live/resume.js';
import {
  StoreUnavailableError,
  type EventQuery,
  type SequenceBounds,
  type StoreStats,
  type StoredDelivery,
  type StoredEvent,
  type StoredRejection,
} from '../../store/types.js';
import type { DeleteReport, PurgeReport } from '../../live/topics.js';
import type { GraphQLContext } from '../context.js';
import type { SubscriptionResolvers } from '../generated.js';

/**
 * Refuses a cursor the replay cannot start from exactly (RESYNC_REQUIRED): malformed, past the newest
 * position, further behind it than MAX_RESUME_EVENTS, or with events after it no longer retained.
 */
function checkResumable(after: string, bounds: SequenceBounds): void {
  if (!isSequence(after))
    throw new ResyncRequiredError('after', `${JSON.stringify(after.slice(0, 40))} is not an Event.sequence`);
  const last = BigInt(bounds.last);
  const position = BigInt(after);
  if (position > last)
    throw new ResyncRequiredError('after', `${after} is past the newest sequence here (${bounds.last})`);
  if (last - position > BigInt(MAX_RESUME_EVENTS))
    throw new ResyncRequiredError(
      'after',
      `${after} is ${last - position} events behind the newest (${bounds.last}); at most ${MAX_RESUME_EVENTS} are replayed`,
    );
  // Nothing retained: every position up to `last` is gone, so only `last` itself resumes exactly.
  const firstRetained = bounds.firstRetained ?? String(last + 1n);
  if (compareSequences(String(position + 1n), firstRetained) < 0)
    throw new ResyncRequiredError(
      'after',
      `events after ${after} are no longer retained (the oldest retained is ${bounds.firstRetained ?? 'none'})`,
    );
}

/** How long a resume waits out a database that is away (a restart, a failover) before it gives up. */
export const RESUME_UNAVAILABLE_WAIT_MS = 15_000;

/**
 * Runs a read of the resume, retrying while the store is unavailable (backoff 100 ms doubling to 1 s,
 * at most {@link RESUME_UNAVAILABLE_WAIT_MS}). A client resumes right after a reconnect, which is exactly
 * when the database may be restarting; an error would end its subscription, and a dashboard does not
 * restart one that ended with an error (only RESYNC_REQUIRED is answered by a reload).
 */
async function whileUnavailable<T>(read: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || Date.now() - started >= RESUME_UNAVAILABLE_WAIT_MS) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** attempt)));
    }
  }
}

/** `eventAdded`: live from now on, or resumed after a position (replay first, see live/resume.ts). */
async function subscribeEventAdded(
  query: EventQuery,
  after: string | null | undefined,
  ctx: GraphQLContext,
): Promise<LiveSubscription<StoredEvent>> {
  const keep = (event: StoredEvent) => matchesEventQuery(event, query);
  if (after == null) return filterSubscription(ctx.live.subscribe('eventAdded'), keep);
  // Registered before the store is read: what commits during the replay waits in its queue.
  const live = ctx.live.subscribe('eventAdded');
  try {
    // One cut-off for the check and the replay: the bounds say what that replay can read.
    const cutoffMs = ctx.cutoffMs();
    checkResumable(after, await whileUnavailable(() => ctx.reads.sequenceBounds(cutoffMs)));
    return resumeSubscription({
      live,
      after,
      keep,
      readAfter: (position, limit) =>
        whileUnavailable(() => ctx.reads.eventsAfterSequence(position, limit, cutoffMs)),
    });
  } catch (error) {
    await live.return();
    throw error;
  }
}

/** Root subscriptions, fed by the live pubsub after each commit. */
export const Subscription: SubscriptionResolvers = {
  eventAdded: {
    // An error thrown here (before the stream) reaches the client with its code; graphql-ws would strip
    // it from one thrown while iterating, so every RESYNC_REQUIRED is decided before the first event.
    subscribe: (_parent, { filter, after }, ctx) =>
      subscribeEventAdded(toEventQuery(filter, 'filter.'), after, ctx),
    resolve: (event: StoredEvent) => event,
  },
  eventsPurged: {
    subscribe: (_parent, _args, ctx) => ctx.live.subscribe('eventsPurged'),
    resolve: (report: PurgeReport) => report,
  },
  statsChanged: {
    subscribe: (_parent, _args, ctx) => ctx.stats.subscribe(),
    resolve: (stats: StoreStats) => stats,
  },
  rejectionAdded: {
    subscribe: (_parent, _args, ctx) => ctx.live.subscribe('rejectionAdded'),
    resolve: (rejection: StoredRejection) => rejection,
  },
  eventsDeleted: {
    subscribe: (_parent, _args, ctx) => ctx.live.subscribe('eventsDeleted'),
    resolve: (report: DeleteReport) => report,
  },
  deliveryAdded: {
    subscribe: (_parent, { eventId }, ctx) => {
      const source = ctx.live.subscribe('deliveryAdded');
      return eventId == null
        ? source
        : filterSubscription(source, (delivery) => delivery.eventId === eventId);
    },
    resolve: (delivery: StoredDelivery) => delivery,
  },
};
