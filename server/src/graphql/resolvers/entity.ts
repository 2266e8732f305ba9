import type { EntityResolvers } from '../generated.js';
import { stateAt } from '../../domain/fold.js';
import { pageSize } from '../../api/pagination.js';
import { InputError } from '../../api/errors.js';
import { dateTimeToMs } from '../../api/datetime.js';

const eventCursor = (id: string): string => Buffer.from(`event:${id}`, 'utf8').toString('base64url');

/** Entity fields, read from its fold. Its events page in fold order (oldest first). */
export const Entity: EntityResolvers = {
  id: ({ fold }) => fold.entityId,
  entityType: ({ fold }) => fold.entityType,
  state: ({ fold }) => fold.state,
  deleted: ({ fold }) => fold.deleted,
  complete: ({ fold }) => fold.complete,
  version: ({ fold }) => fold.version,
  createdAt: ({ fold }) => fold.createdAtMs,
  updatedAt: ({ fold }) => fold.updatedAtMs,
  warnings: ({ fold }) => fold.warnings,
  events({ fold, events }, args) {
    const first = pageSize(args.first);
    let start = 0;
    if (args.after) {
      const index = fold.order.findIndex((input) => eventCursor(input.id) === args.after);
      if (index < 0) throw new InputError('after', 'not a cursor of this entity given by this API');
      start = index + 1;
    }
    const edges = fold.order.slice(start, start + first).flatMap(({ id }) => {
      const node = events.get(id);
      return node ? [{ cursor: eventCursor(id), node }] : [];
    });
    return {
      edges,
      hasNextPage: start + first < fold.order.length,
      totalCount: async () => fold.order.length,
      // The fold holds every event of the entity: its count is exact at any size.
      countAtMost: async () => ({ value: fold.order.length, exact: true }),
    };
  },
  stateAt({ fold }, { time }) {
    return stateAt(fold.order, dateTimeToMs(time, 'time'))?.state ?? null;
  },
};
