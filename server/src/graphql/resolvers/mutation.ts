import type { MutationResolvers } from '../generated.js';
import { GraphQLError } from 'graphql';
import { ErrorCode, InputError, NotFoundError } from '../../api/errors.js';
import { toEventQuery } from '../../api/filter-input.js';
import type { ReplayRefusal, ReplaySelection } from '../../domain/deliveries.js';
import { toDeliveryReport } from '../../api/delivery-input.js';

/** Most mock events one mutation may create. */
export const MAX_MOCK_EVENTS = 1_000;

/** A replay refused before anything was sent, as the error a client acts on. */
function refusalError(refusal: ReplayRefusal): GraphQLError {
  switch (refusal.reason) {
    case 'target-invalid':
      return new InputError(refusal.argument, refusal.message);
    case 'not-found':
      return new NotFoundError(refusal.argument, refusal.message);
    case 'target-not-allowed':
    case 'too-many-events':
    case 'busy': {
      const code = {
        'target-not-allowed': ErrorCode.FORWARD_TARGET_NOT_ALLOWED,
        'too-many-events': ErrorCode.REPLAY_TOO_LARGE,
        busy: ErrorCode.REPLAY_BUSY,
      }[refusal.reason];
      return new GraphQLError(`${refusal.argument}: ${refusal.message}`, {
        extensions: { code, argument: refusal.argument },
      });
    }
    default: {
      const never: never = refusal.reason;
      throw new Error(`unknown refusal ${String(never)}`);
    }
  }
}

/** Root mutations. */
export const Mutation: MutationResolvers = {
  async generateMockEvents(_parent, { count }, ctx) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_MOCK_EVENTS) {
      throw new InputError('count', `must be between 1 and ${MAX_MOCK_EVENTS}`);
    }
    return ctx.mock.generate(count);
  },
  async recordDelivery(_parent, { input }, ctx) {
    const report = toDeliveryReport(input);
    const delivery = await ctx.deliveries.record({ ...report, source: 'cli' });
    if (!delivery) throw new NotFoundError('input.eventId', `no retained event with id "${input.eventId}"`);
    return delivery;
  },
  async replayEvents(_parent, { ids, filter, entityId, target }, ctx) {
    const given = [ids, filter, entityId].filter((value) => value != null).length;
    if (given !== 1) throw new InputError('ids', 'give exactly one of ids, filter or entityId');
    let selection: ReplaySelection;
    if (ids != null) {
      if (ids.length === 0) throw new InputError('ids', 'must name at least one event');
      selection = { kind: 'ids', ids };
    } else if (filter != null) {
      selection = { kind: 'filter', query: toEventQuery(filter, 'filter.') };
    } else {
      selection = { kind: 'entity', entityId: entityId as string };
    }
    const outcome = await ctx.replay.replay(selection, target);
    if (outcome.kind === 'refused') throw refusalError(outcome);
    return outcome;
  },
};
