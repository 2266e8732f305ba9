import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ErrorCode } from '../../api/errors.js';
import { ACTIONS } from '../../domain/types.js';
import { sendError } from '../reply.js';

/** The filter parameters of `GET /events`, shared by every route that selects events the same way. */
export const eventFilterParams = {
  action: z.enum(ACTIONS).optional(),
  entityType: z.string().min(1).optional(),
  entityId: z.string().min(1).optional(),
  since: z.string().optional(),
  until: z.string().optional(),
  search: z.string().min(1).optional(),
  drift: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((text) => text === 'true')
    .optional(),
};

/**
 * Parses a query string with `schema`; on failure answers 400 BAD_USER_INPUT naming each parameter at
 * fault and returns null.
 */
export function parseQueryOrReply<T>(
  schema: z.ZodType<T>,
  query: unknown,
  reply: FastifyReply,
): { data: T } | null {
  const parsed = schema.safeParse(query);
  if (parsed.success) return { data: parsed.data };
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.join('.') || String((issue as { keys?: string[] }).keys?.join(', ') ?? ''),
    message: issue.message,
  }));
  sendError(
    reply,
    400,
    ErrorCode.BAD_USER_INPUT,
    issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  );
  return null;
}
