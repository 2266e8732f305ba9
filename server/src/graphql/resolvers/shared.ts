import type { EventFilter } from '../generated.js';
import type { EventQuery } from '../../store/types.js';
import type { GraphQLContext } from '../context.js';
import type { EntityModel } from '../mappers.js';
import { dateTimeToMs } from '../../datetime.js';

/** Turns the GraphQL EventFilter into the store's query (dates to epoch ms). */
export function toEventQuery(filter: EventFilter | null | undefined): EventQuery {
  if (!filter) return {};
  return {
    action: filter.action ?? null,
    entityType: filter.entityType ?? null,
    entityId: filter.entityId ?? null,
    sinceMs: filter.since ? dateTimeToMs(filter.since, 'filter.since') : null,
    untilMs: filter.until ? dateTimeToMs(filter.until, 'filter.until') : null,
    search: filter.search ?? null,
  };
}

/** Loads an entity's row and fold, or null when none of its events is retained. */
export async function loadEntity(ctx: GraphQLContext, id: string): Promise<EntityModel | null> {
  const cutoffMs = ctx.retention.cutoffMs();
  const row = await ctx.store.getEntity(id, cutoffMs);
  if (!row) return null;
  const folded = await ctx.entities.fold(id, cutoffMs);
  return folded ? { row, ...folded } : null;
}
