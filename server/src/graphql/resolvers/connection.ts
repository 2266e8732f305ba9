import { countBound } from '../../api/pagination.js';
import type {
  EntityModel,
  EventConnectionModel,
  EventModel,
  ConnectionModel,
  RejectionModel,
} from '../mappers.js';

function connectionResolvers<T>() {
  return {
    edges: (page: ConnectionModel<T>) => page.edges,
    pageInfo: (page: ConnectionModel<T>) => ({
      hasNextPage: page.hasNextPage,
      endCursor: page.edges.at(-1)?.cursor ?? null,
    }),
    totalCount: (page: ConnectionModel<T>) => page.totalCount(),
  };
}

/** Every list is a connection of the same shape; one set of resolvers serves them all. */
export const EventConnection = {
  ...connectionResolvers<EventModel>(),
  count: (page: EventConnectionModel, args: { atMost?: number | null }) =>
    page.countAtMost(countBound(args.atMost)),
};
/** See {@link EventConnection}. */
export const EntityConnection = connectionResolvers<EntityModel>();
/** See {@link EventConnection}. */
export const RejectionConnection = connectionResolvers<RejectionModel>();
