import type { MutationResolvers } from '../generated.js';
import { InputError } from '../../api/errors.js';

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
};
