import type { GraphQLContext } from '../context.js';
import type { EntityModel } from '../mappers.js';

/** Loads an entity's row and fold, or null when none of its events is retained. */
export async function loadEntity(ctx: GraphQLContext, id: string): Promise<EntityModel | null> {
  const cutoffMs = ctx.cutoffMs();
  const row = await ctx.reads.getEntity(id, cutoffMs);
  if (!row) return null;
  const folded = await ctx.entities.fold(id, cutoffMs);
  return folded ? { row, ...folded } : null;
}
