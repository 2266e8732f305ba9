import { GraphQLError } from 'graphql';

/** A client mistake in an argument or query parameter. A GraphQLError with code BAD_USER_INPUT, so GraphQL
 * reports it as is, and REST answers 400 with the same code and message. */
export class InputError extends GraphQLError {
  constructor(
    /** The argument at fault, e.g. `first` or `filter.since`. */
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument } });
    this.name = 'InputError';
  }
}
