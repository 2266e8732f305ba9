import { changesForApi, payloadOf } from '../../read/entities.js';
import type { EventAnalysis } from '../../domain/types.js';
import type { StoredEvent } from '../../store/types.js';
import type { GraphQLContext } from '../context.js';
import type { EventResolvers } from '../generated.js';
import { loadEntity } from './shared.js';

/** The event's analysis in its entity's fold of the retained events (read, or cached). */
async function foldedAnalysis(event: StoredEvent, ctx: GraphQLContext): Promise<EventAnalysis | undefined> {
  const folded = await ctx.entities.fold(event.entityId, ctx.cutoffMs());
  return folded?.fold.analysis.get(event.id);
}

/**
 * Event fields; `changes` and `warnings` come from its entity's fold: as of its commit for an event this
 * process committed and published (computed then, read from nothing), else from the fold cache or the
 * store. `drift` from the row.
 */
export const Event: EventResolvers = {
  time: (event) => event.timeMs,
  receivedAt: (event) => event.receivedAtMs,
  payload: (event) => payloadOf(event),
  raw: (event) => event.raw.toString('utf8'),
  changes(event, _args, ctx) {
    const written = ctx.entities.analysisOf(event);
    if (written) return changesForApi(written.changes);
    return foldedAnalysis(event, ctx).then((analysis) => changesForApi(analysis?.changes ?? []));
  },
  warnings(event, _args, ctx) {
    const written = ctx.entities.analysisOf(event);
    if (written) return [...written.warnings, ...(event.drift ?? [])];
    return foldedAnalysis(event, ctx).then((analysis) => [
      ...(analysis?.warnings ?? []),
      ...(event.drift ?? []),
    ]);
  },
  drift: (event) => event.drift ?? [],
  entity: (event, _args, ctx) => loadEntity(ctx, event.entityId),
  deliveries: (event, _args, { reads, cutoffMs }) => reads.listDeliveries(event.id, cutoffMs()),
};
