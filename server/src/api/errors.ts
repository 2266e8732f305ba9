import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ParseErrorCode } from '../domain/types.js';

/**
 * Every error code a client can rely on, over REST, the webhook and GraphQL alike (docs/api.md lists each
 * with its status). The values are the wire format: clients and tests match on them, so they never change.
 * The parse codes come from the domain, which judges a body without knowing about HTTP.
 */
export const ErrorCode = {
  /** 400: an argument or query parameter is wrong; the message starts with the one at fault. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** 4xx: a webhook request Fastify itself refused before the intake saw it (its status is kept). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** 400: a search term longer than MAX_SEARCH_CHARS (server/src/api/filter-input.ts); the message names the field. */
  SEARCH_TOO_LONG: 'SEARCH_TOO_LONG',
  /** 401: a reader route without valid AUTH_TOKEN or AUTH_USERS credentials. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** 403: the credential may read but not do this (AUTH_READONLY_TOKENS; see READONLY_MAY_DELETE). */
  FORBIDDEN: 'FORBIDDEN',
  /** 404: no retained event or entity with that id. */
  NOT_FOUND: 'NOT_FOUND',
  /** 400 (GraphQL over HTTP) or an error message (graphql-ws): an operation over a GRAPHQL_ or WS_ limit. */
  QUERY_LIMIT_EXCEEDED: 'QUERY_LIMIT_EXCEEDED',
  /** 413: a webhook body over MAX_BODY_BYTES. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** 415: a webhook body that is not declared as UTF-8 JSON. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  ...ParseErrorCode,
  /** 401: a signature header the configured scheme needs is missing. */
  SIGNATURE_HEADER_MISSING: 'SIGNATURE_HEADER_MISSING',
  /** 401: `webhook-timestamp` (or `svix-timestamp`) is not whole seconds since 1970. */
  SIGNATURE_TIMESTAMP_INVALID: 'SIGNATURE_TIMESTAMP_INVALID',
  /** 401: `webhook-timestamp` (or `svix-timestamp`) is further in the past than the tolerance. */
  SIGNATURE_TIMESTAMP_STALE: 'SIGNATURE_TIMESTAMP_STALE',
  /** 401: `webhook-timestamp` (or `svix-timestamp`) is further in the future than the tolerance. */
  SIGNATURE_TIMESTAMP_FUTURE: 'SIGNATURE_TIMESTAMP_FUTURE',
  /** 401: no signature matches the body signed with (any secret of) WEBHOOK_SECRET. */
  SIGNATURE_MISMATCH: 'SIGNATURE_MISMATCH',
  /** 400: a replay or forward target outside FORWARD_ALLOWED_TARGETS; nothing was sent. */
  FORWARD_TARGET_NOT_ALLOWED: 'FORWARD_TARGET_NOT_ALLOWED',
  /** 400: a replay that selects more events than REPLAY_MAX_EVENTS; nothing was sent. */
  REPLAY_TOO_LARGE: 'REPLAY_TOO_LARGE',
  /** 429: as many replays as allowed are running (or the server is stopping); retry later. */
  REPLAY_BUSY: 'REPLAY_BUSY',
  /**
   * graphql-ws: `eventAdded(after:)` cannot resume exactly from that position (too old, too far behind,
   * unknown or malformed); the subscription ended. Reload by query, then subscribe again.
   */
  RESYNC_REQUIRED: 'RESYNC_REQUIRED',
  /** 503 with Retry-After: the database could not take the write; retrying later is right. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** 503: the dashboard's files are not built (`npm run build`). */
  DASHBOARD_NOT_BUILT: 'DASHBOARD_NOT_BUILT',
  /** 500: a bug; the detail is only in the server log (GraphQL answers carry an `errorId` to find it). */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
/** One of {@link ErrorCode}'s values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error a client can act on about one argument: `extensions` carry the code and the argument. */
export class ArgumentError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    /** The argument at fault, e.g. `first`, `filter.since` or `input.eventId`. */
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`, { extensions: { code, argument } });
  }
}

/** The codes an {@link InputError} may carry: each answers 400 over REST. */
export type InputErrorCode = typeof ErrorCode.BAD_USER_INPUT | typeof ErrorCode.SEARCH_TOO_LONG;

/** A client mistake in an argument or query parameter. A GraphQLError with code BAD_USER_INPUT (or a more
 * precise one), so GraphQL reports it as is, and REST answers 400 with the same code and message. */
export class InputError extends ArgumentError {
  declare readonly code: InputErrorCode;
  constructor(argument: string, message: string, code: InputErrorCode = ErrorCode.BAD_USER_INPUT) {
    super(code, argument, message);
    this.name = 'InputError';
  }
}

/** No retained event (or entity) with the id an argument names: code NOT_FOUND. */
export class NotFoundError extends ArgumentError {
  constructor(argument: string, message: string) {
    super(ErrorCode.NOT_FOUND, argument, message);
    this.name = 'NotFoundError';
  }
}

/**
 * A live subscription that cannot resume from its cursor without a gap: code RESYNC_REQUIRED, with the
 * argument at fault and a message that says why and what to do.
 */
export class ResyncRequiredError extends ArgumentError {
  constructor(argument: string, reason: string) {
    super(
      ErrorCode.RESYNC_REQUIRED,
      argument,
      `${reason}; reload the events by query, then subscribe again from the newest sequence it returned`,
    );
    this.name = 'ResyncRequiredError';
  }
}

/** A short id for an INTERNAL_SERVER_ERROR: the answer carries it, the log line has it with the detail. */
export function newErrorId(): string {
  return randomBytes(4).toString('hex');
}
