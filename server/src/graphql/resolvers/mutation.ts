import { GraphQLError } from 'graphql';
import type { MutationResolvers } from '../generated.js';
import { ErrorCode, InputError } from '../../api/errors.js';
import { requireCapability } from '../../api/access.js';
import { toEventQuery } from '../../api/filter-input.js';
import type { EventQuery } from '../../store/types.js';

/** Most mock events one mutation may create. */
export const MAX_MOCK_EVENTS = 1_000;

/** Whether a query sets no filter at all (null and '' mean "any"): it would match every event. */
function matchesEverything(query: EventQuery): boolean {
  return Object.values(query).every((value) => value === null || value === undefined || value === '');
}

/** Root mutations. */
export const Mutation: MutationResolvers = {
  async generateMockEvents(_parent, { count }, ctx) {
    requireCapability(ctx.may, 'write', 'generateMockEvents');
    if (!Number.isInteger(count) || count < 1 || count > MAX_MOCK_EVENTS) {
      throw new InputError('count', `must be between 1 and ${MAX_MOCK_EVENTS}`);
    }
    return ctx.mock.generate(count);
  },
  async deleteEvent(_parent, { id }, ctx) {
    requireCapability(ctx.may, 'delete', 'deleteEvent');
    if (id.trim() === '') throw new InputError('id', 'must not be empty');
    const report = await ctx.deletes.delete({ kind: 'one', id });
    if (report.eventCount === 0) {
      throw new GraphQLError(`id: no retained event with id "${id}"`, {
        extensions: { code: ErrorCode.NOT_FOUND, argument: 'id' },
      });
    }
    return report;
  },
  async deleteEvents(_parent, { filter }, ctx) {
    requireCapability(ctx.may, 'delete', 'deleteEvents');
    const query = toEventQuery(filter, 'filter.');
    if (matchesEverything(query)) {
      throw new InputError('filter', 'must set at least one field; use clearEvents to delete every event');
    }
    return ctx.deletes.delete({ kind: 'matching', query });
  },
  async clearEvents(_parent, _args, ctx) {
    requireCapability(ctx.may, 'delete', 'clearEvents');
    return ctx.deletes.delete({ kind: 'all' });
  },
};
