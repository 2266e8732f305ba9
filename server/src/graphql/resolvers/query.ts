import type { QueryResolvers } from '../generated.js';
import { decodeCursor, encodeCursor, pageSize } from '../../api/pagination.js';
import { toEventQuery } from '../../api/filter-input.js';
import { loadEntity } from './shared.js';

/** Root queries: every read applies the retention cut-off. */
export const Query: QueryResolvers = {
  async events(_parent, args, ctx) {
    const query = toEventQuery(args.filter, 'filter.');
    const first = pageSize(args.first);
    const after = decodeCursor(args.after);
    const cutoffMs = ctx.retention.cutoffMs();
    const page = await ctx.store.listEvents(query, first, after, cutoffMs);
    return {
      edges: page.rows.map((node) => ({
        cursor: encodeCursor({ atMs: node.receivedAtMs, id: node.id }),
        node,
      })),
      hasNextPage: page.hasNextPage,
      totalCount: () => ctx.store.countEvents(query, cutoffMs),
    };
  },
  event: (_parent, { id }, ctx) => ctx.store.getEvent(id, ctx.retention.cutoffMs()),
  entity: (_parent, { id }, ctx) => loadEntity(ctx, id),
  async entities(_parent, args, ctx) {
    const first = pageSize(args.first);
    const after = decodeCursor(args.after);
    const cutoffMs = ctx.retention.cutoffMs();
    const entityType = args.entityType ?? null;
    const page = await ctx.store.listEntities(entityType, first, after, cutoffMs);
    const edges = [];
    for (const row of page.rows) {
      const folded = await ctx.entities.fold(row.id, cutoffMs);
      // The entity row can outlive its last event by up to one purge step; such rows are simply skipped.
      if (folded) {
        edges.push({
          cursor: encodeCursor({ atMs: row.lastReceivedAtMs, id: row.id }),
          node: { row, ...folded },
        });
      }
    }
    return {
      edges,
      hasNextPage: page.hasNextPage,
      totalCount: () => ctx.store.countEntities(entityType, cutoffMs),
    };
  },
  stats: (_parent, _args, ctx) => ctx.store.stats(ctx.retention.cutoffMs()),
  async rejections(_parent, args, ctx) {
    const first = pageSize(args.first);
    const after = decodeCursor(args.after);
    const cutoffMs = ctx.retention.cutoffMs();
    const page = await ctx.store.listRejections(first, after, cutoffMs);
    return {
      edges: page.rows.map((node) => ({
        cursor: encodeCursor({ atMs: node.receivedAtMs, id: node.id }),
        node,
      })),
      hasNextPage: page.hasNextPage,
      totalCount: () => ctx.store.countRejections(cutoffMs),
    };
  },
};
