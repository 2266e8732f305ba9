import type { QueryResolvers } from '../generated.js';
import { arrivalKeyset, pageArgs, toConnection } from '../../api/pagination.js';
import { toEventQuery } from '../../api/filter-input.js';
import { toTrafficWindow, trafficKeys } from '../../api/traffic-input.js';
import type { EntityModel } from '../mappers.js';
import { loadEntity } from './shared.js';

/** Root queries: every read applies the retention cut-off. */
export const Query: QueryResolvers = {
  async events(_parent, args, { reads, cutoffMs }) {
    const query = toEventQuery(args.filter, 'filter.');
    const { first, after } = pageArgs(args);
    const cutoff = cutoffMs();
    const page = await reads.listEvents(query, first, after, cutoff);
    return {
      ...toConnection(page, arrivalKeyset, () => reads.countEvents(query, cutoff)),
      countAtMost: (atMost: number) => reads.countEventsAtMost(query, atMost, cutoff),
    };
  },
  event: (_parent, { id }, { reads, cutoffMs }) => reads.getEvent(id, cutoffMs()),
  entity: (_parent, { id }, ctx) => loadEntity(ctx, id),
  async entities(_parent, args, { reads, entities, cutoffMs }) {
    const { first, after } = pageArgs(args);
    const cutoff = cutoffMs();
    const entityType = args.entityType ?? null;
    const page = await reads.listEntities(entityType, first, after, cutoff);
    const nodes: EntityModel[] = [];
    for (const row of page.rows) {
      const folded = await entities.fold(row.id, cutoff);
      // The entity row can outlive its last event by up to one purge step; such rows are simply skipped.
      if (folded) nodes.push({ row, ...folded });
    }
    return toConnection(
      { rows: nodes, hasNextPage: page.hasNextPage },
      ({ row }) => ({ atMs: row.lastReceivedAtMs, id: row.id }),
      () => reads.countEntities(entityType, cutoff),
    );
  },
  stats: (_parent, _args, { reads, cutoffMs }) => reads.stats(cutoffMs()),
  schemas: (_parent, _args, { reads, cutoffMs }) => reads.listSchemas(cutoffMs()),
  schema: (_parent, { entityType }, { reads, cutoffMs }) => reads.getSchema(entityType, cutoffMs()),
  async rejections(_parent, args, { reads, cutoffMs }) {
    const { first, after } = pageArgs(args);
    const cutoff = cutoffMs();
    const page = await reads.listRejections(first, after, cutoff);
    return toConnection(page, arrivalKeyset, () => reads.countRejections(cutoff));
  },
  async traffic(_parent, args, { reads, cutoffMs, retention }) {
    const cutoff = cutoffMs();
    // The cut-off is now minus the retention: that is the clock every read already goes by.
    const window = toTrafficWindow(args, cutoff + retention.ms, cutoff);
    const buckets = await reads.traffic(window.query, cutoff);
    const keys = trafficKeys(buckets);
    const column = new Map(keys.map((key, i) => [key, i]));
    // Plain objects shaped like the schema: graphql-js's default resolver reads every field (no resolver
    // of ours per bucket; docs/performance.md, "Traffic query at 1M events").
    return {
      bucket: window.bucket,
      bucketSeconds: window.query.bucketMs / 1000,
      since: window.fromMs,
      until: window.toMs,
      splitBy: args.splitBy,
      keys,
      buckets: buckets.map((bucket) => {
        const counts = new Array<number>(keys.length).fill(0);
        for (const { key, count } of bucket.split) counts[column.get(key) ?? 0] = count;
        return {
          start: bucket.startMs,
          count: bucket.count,
          split: bucket.split,
          rejections: bucket.rejections,
          counts,
        };
      }),
    };
  },
};
