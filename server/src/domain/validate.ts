import { z } from 'zod';
import { describeJsonValue, findJsonSyntaxError, findTooDeep, isJsonObject, quote } from './json.js';
import { parseRfc3339, RFC3339_SHAPE_MESSAGE } from '../shared/time.js';
import {
  ACTIONS,
  ParseErrorCode,
  type JsonObject,
  type NormalizedEvent,
  type ParseResult,
  type ValidationIssue,
} from './types.js';

/** How deeply objects/arrays may nest in a body unless the caller says otherwise. */
export const DEFAULT_MAX_DEPTH = 64;
/** The longest accepted `entity_type`, in Unicode code points. */
export const MAX_ENTITY_TYPE_CHARS = 64;
/**
 * Longest entity id (Unicode code points): at most 2 KiB of UTF-8, so that every index holding it stays
 * under PostgreSQL's b-tree row limit (about 2.7 kB), the same on both stores.
 */
export const MAX_ENTITY_ID_CHARS = 512;

type ErrorFn = (issue: { input?: unknown }) => string;

/** `required` when the field is absent, otherwise `<expected>, got <what was sent>`. */
const requiredOr =
  (expected: string): ErrorFn =>
  (issue) =>
    issue.input === undefined ? 'required' : `${expected}, got ${describeJsonValue(issue.input)}`;

/** An entity id: a non-empty string. Numbers are refused rather than coerced: 42 and "42" would be two entities. */
const entityIdSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'required'
        : typeof issue.input === 'number'
          ? `must be a string, got number ${String(issue.input)} (ids are strings: send "${String(issue.input)}")`
          : `must be a non-empty string, got ${describeJsonValue(issue.input)}`,
  })
  .min(1, { error: 'must be a non-empty string' })
  .refine((value) => countCodePoints(value) <= MAX_ENTITY_ID_CHARS, {
    error: `must be at most ${MAX_ENTITY_ID_CHARS} characters`,
  });

const payloadSchema = z
  .custom<JsonObject>(isJsonObject, { error: requiredOr('must be a JSON object') })
  .check((ctx) => {
    // payload.id is the entity id for create and the fallback for update/delete: same rule everywhere.
    if (!Object.hasOwn(ctx.value, 'id')) return;
    const result = entityIdSchema.safeParse(ctx.value['id']);
    if (!result.success) {
      for (const issue of result.error.issues) {
        ctx.issues.push({ code: 'custom', message: issue.message, input: ctx.value['id'], path: ['id'] });
      }
    }
  });

/**
 * The webhook body as sent. Unknown top-level fields are not refused; zod strips them from its output
 * (the caller keeps the parsed body and the raw bytes), which also means a top-level `__proto__` key
 * is never copied onto an object by zod.
 */
export const webhookBodySchema = z
  .object({
    action: z.enum(ACTIONS, { error: requiredOr(`must be one of ${ACTIONS.join(', ')}`) }),
    entity_type: z
      .string({ error: requiredOr('must be a string') })
      .min(1, { error: 'must be a non-empty string' })
      .refine((value) => countCodePoints(value) <= MAX_ENTITY_TYPE_CHARS, {
        error: `must be at most ${MAX_ENTITY_TYPE_CHARS} characters`,
      }),
    time: z.string({ error: requiredOr(RFC3339_SHAPE_MESSAGE) }).check((ctx) => {
      const parsed = parseRfc3339(ctx.value);
      if (!parsed.ok) ctx.issues.push({ code: 'custom', message: parsed.message, input: ctx.value });
    }),
    id: entityIdSchema.optional(),
    payload: payloadSchema,
    modified_fields: z
      .array(
        z
          .string({ error: requiredOr('must be a string (a field name)') })
          .min(1, { error: 'must be a non-empty string' }),
        { error: requiredOr('must be an array of field names (omit it rather than send null)') },
      )
      .optional(),
  })
  .superRefine(
    (body, ctx) => {
      // Runs even when single fields failed (see `when`), so every value here is re-checked before use.
      const action: unknown = body.action;
      const topId: unknown = body.id;
      const payload: unknown = body.payload;
      const payloadId: unknown =
        isJsonObject(payload) && Object.hasOwn(payload, 'id') ? payload['id'] : undefined;
      if (action === 'create' && isJsonObject(payload) && payloadId === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['payload', 'id'],
          message:
            topId === undefined
              ? 'required'
              : 'required: a create carries its entity id in payload.id (a top-level id alone is not enough)',
        });
      }
      if ((action === 'update' || action === 'delete') && topId === undefined && payloadId === undefined) {
        ctx.addIssue({ code: 'custom', path: ['id'], message: 'required (or payload.id)' });
      }
      if (typeof topId === 'string' && typeof payloadId === 'string' && topId !== '' && topId !== payloadId) {
        ctx.addIssue({
          code: 'custom',
          path: ['id'],
          message: `must agree with payload.id (${quote(topId)} ≠ ${quote(payloadId)})`,
        });
      }
    },
    { when: () => true },
  );

/** The webhook body as validated (unknown fields stripped). */
export type WebhookBody = z.output<typeof webhookBodySchema>;

/** The runtime check and the type in one: a webhook body in, a {@link NormalizedEvent} out. */
export const webhookEventSchema = webhookBodySchema.transform((body): NormalizedEvent => {
  const time = parseRfc3339(body.time);
  // Unreachable: the schema refused this already; kept so a broken invariant fails loudly, not as NaN.
  if (!time.ok) throw new Error(`time passed validation but does not parse: ${time.message}`);
  const payloadId = Object.hasOwn(body.payload, 'id') ? body.payload['id'] : undefined;
  const entityId = body.action === 'create' ? payloadId : (body.id ?? payloadId);
  if (typeof entityId !== 'string') throw new Error('entity id passed validation but is not a string');
  return {
    action: body.action,
    entityType: body.entity_type,
    entityId,
    timeMs: time.timeMs,
    modifiedFields: body.modified_fields === undefined ? null : [...body.modified_fields],
    payload: body.payload,
  };
});

// Compile-time proof that the schema and the shared type agree, in both directions.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesNormalizedEvent: Equal<z.output<typeof webhookEventSchema>, NormalizedEvent> = true;
void schemaMatchesNormalizedEvent;

const decoder = new TextDecoder('utf-8', { fatal: true });

// Issues are reported in the order of the documented fields, whatever order the checks ran in.
const FIELD_RANK = new Map(
  ['action', 'entity_type', 'time', 'id', 'payload', 'modified_fields'].map((f, i) => [f, i]),
);

/**
 * Parses a raw webhook body into a normalized event, or says precisely why not.
 * A leading UTF-8 byte order mark is accepted and ignored (RFC 8259 allows a parser to ignore it).
 * `body` is the parsed JSON as sent (unknown fields kept, `__proto__` an own data property).
 */
export function parseWebhookBody(raw: Buffer | Uint8Array, opts: { maxDepth?: number } = {}): ParseResult {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    return refuse(400, ParseErrorCode.INVALID_UTF8, 'body is not valid UTF-8');
  }
  if (text.trim() === '')
    return refuse(400, ParseErrorCode.MALFORMED_JSON, 'body is empty; expected a JSON object');
  const deepAt = findTooDeep(text, maxDepth);
  if (deepAt >= 0) {
    return refuse(
      400,
      ParseErrorCode.TOO_DEEP,
      `objects and arrays nest deeper than ${maxDepth} levels (at position ${deepAt})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const located = findJsonSyntaxError(text);
    const detail = located?.message ?? (err instanceof Error ? err.message : String(err));
    return refuse(400, ParseErrorCode.MALFORMED_JSON, `malformed JSON: ${detail}`);
  }
  if (!isJsonObject(parsed)) {
    return refuse(
      400,
      ParseErrorCode.MALFORMED_JSON,
      `the top level must be a JSON object, got ${describeJsonValue(parsed)}`,
    );
  }
  const result = webhookEventSchema.safeParse(parsed);
  if (result.success) return { ok: true, event: result.data, body: parsed };
  const issues = result.error.issues
    .map((issue): ValidationIssue => ({ path: issue.path.map(String).join('.'), message: issue.message }))
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => rank(a.issue.path) - rank(b.issue.path) || a.index - b.index)
    .map(({ issue }) => issue);
  return {
    ok: false,
    status: 422,
    code: ParseErrorCode.INVALID_EVENT,
    message: summarizeIssues(issues),
    issues,
  };
}

/** One line for a list of issues: `payload.id: required` or `2 problems: time: ...; id: ...`. */
export function summarizeIssues(issues: readonly ValidationIssue[]): string {
  const parts = issues.map((issue) =>
    issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`,
  );
  return parts.length === 1 ? (parts[0] ?? '') : `${parts.length} problems: ${parts.join('; ')}`;
}

function refuse(
  status: 400,
  code: Exclude<ParseErrorCode, typeof ParseErrorCode.INVALID_EVENT>,
  message: string,
): ParseResult {
  return { ok: false, status, code, message, issues: [{ path: '', message }] };
}

function rank(path: string): number {
  const head = path.split('.', 1)[0] ?? '';
  return FIELD_RANK.get(head) ?? FIELD_RANK.size;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
