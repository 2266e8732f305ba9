/** The public error codes of the API, GraphQL and REST alike. */
export enum ErrorCode {
  BadUserInput = 'BAD_USER_INPUT',
  NotFound = 'NOT_FOUND',
  StoreUnavailable = 'STORE_UNAVAILABLE',
  InternalServerError = 'INTERNAL_SERVER_ERROR',
}
