import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { ErrorCode, newErrorId } from '../api/errors.js';
import type { ValidationIssue } from '../domain/types.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues: ValidationIssue[] };
}

/** Answers with the JSON error body used by every route. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  issues: ValidationIssue[] = [],
): FastifyReply {
  const body: ErrorBody = { error: { code, message, issues } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Seconds a client is asked to wait when the store is unavailable (a full disk, a busy database). */
export const RETRY_AFTER_SECONDS = 5;

/** Answers 503 with Retry-After: the store refused for a reason that passes (StoreUnavailableError). */
export function sendUnavailable(reply: FastifyReply, message: string): FastifyReply {
  reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return sendError(reply, 503, ErrorCode.STORE_UNAVAILABLE, message);
}

/** Answers 500 for a bug: no Retry-After; the error id in the answer finds the detail in the log. */
export function sendInternalError(
  reply: FastifyReply,
  log: FastifyBaseLogger,
  error: unknown,
  what: string,
): FastifyReply {
  const errorId = newErrorId();
  log.error({ err: error, errorId }, what);
  return sendError(reply, 500, ErrorCode.INTERNAL_SERVER_ERROR, `internal error (id ${errorId})`);
}
