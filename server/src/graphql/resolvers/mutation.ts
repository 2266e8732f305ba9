import type { MutationResolvers } from '../generated.js';
import { InputError, NotFoundError } from '../../api/errors.js';
import { toDeliveryReport } from '../../api/delivery-input.js';

/** Most mock events one mutation may create. */
export const MAX_MOCK_EVENTS = 1_000;

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
};
