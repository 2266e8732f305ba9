import { matchesEventQuery, toEventQuery } from '../../api/filter-input.js';
import { filterSubscription } from '../../live/index.js';
import type { StoredDelivery, StoredEvent, StoredRejection } from '../../store/types.js';
import type { PurgeReport } from '../../live/topics.js';
import type { SubscriptionResolvers } from '../generated.js';

/** Root subscriptions, fed by the live pubsub after each commit. */
export const Subscription: SubscriptionResolvers = {
  eventAdded: {
    subscribe: (_parent, { filter }, ctx) => {
      const query = toEventQuery(filter, 'filter.');
      return filterSubscription(ctx.live.subscribe('eventAdded'), (event) => matchesEventQuery(event, query));
    },
    resolve: (event: StoredEvent) => event,
  },
  eventsPurged: {
    subscribe: (_parent, _args, ctx) => ctx.live.subscribe('eventsPurged'),
    resolve: (report: PurgeReport) => report,
  },
  rejectionAdded: {
    subscribe: (_parent, _args, ctx) => ctx.live.subscribe('rejectionAdded'),
    resolve: (rejection: StoredRejection) => rejection,
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
