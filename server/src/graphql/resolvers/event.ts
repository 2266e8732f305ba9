import { changesForApi, payloadOf } from '../../read/entities.js';
import type { EventResolvers } from '../generated.js';
import { loadEntity } from './shared.js';

/** Event fields; `changes` and `warnings` come from its entity's fold (cached per entity). */
export const Event: EventResolvers = {
  time: (event) => event.timeMs,
  receivedAt: (event) => event.receivedAtMs,
  payload: (event) => payloadOf(event),
  raw: (event) => event.raw.toString('utf8'),
  async changes(event, _args, ctx) {
    const folded = await ctx.entities.fold(event.entityId, ctx.cutoffMs());
    return changesForApi(folded?.fold.analysis.get(event.id)?.changes ?? []);
  },
  async warnings(event, _args, ctx) {
    const folded = await ctx.entities.fold(event.entityId, ctx.cutoffMs());
    return folded?.fold.analysis.get(event.id)?.warnings ?? [];
  },
  entity: (event, _args, ctx) => loadEntity(ctx, event.entityId),
  deliveries: (event, _args, { reads, cutoffMs }) => reads.listDeliveries(event.id, cutoffMs()),
};
