import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../api/errors.js';
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
