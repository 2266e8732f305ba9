import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Ingest, IntakeOutcome, RequestHeaders } from '../../intake/ingest.js';
import { StoreUnavailableError } from '../../intake/ingest.js';
import { msToDateTime } from '../../api/datetime.js';
import type { WebhookSignatureConfig } from '../../config.js';
import { verifySignature } from '../../intake/signature.js';
import { sendError } from '../reply.js';

/** The webhook intake path. */
export const WEBHOOK_PATH = '/webhooks/event';
/** Seconds a client is told to wait after a 503. */
export const RETRY_AFTER_SECONDS = 5;

// application/json or any application/*+json, with an optional utf-8 charset: the body must be UTF-8 JSON.
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Options of the webhook route. */
export interface WebhookRouteOptions {
  ingest: Ingest;
  maxBodyBytes: number;
  /** Signature verification; null accepts unsigned deliveries. */
  signature?: WebhookSignatureConfig | null;
  /** The injected clock's now (epoch ms), for the signature's timestamp window. */
  now?: () => number;
}

function describeOutcome(outcome: IntakeOutcome & { kind: 'stored' | 'duplicate' }) {
  const { event } = outcome;
  return {
    id: event.id,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    receivedAt: msToDateTime(event.receivedAtMs),
    duplicate: outcome.kind === 'duplicate',
  };
}

/** Registers `POST /webhooks/event`: raw bytes in, 201 only once the event is committed. */
export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  const { ingest, maxBodyBytes, signature = null, now = Date.now } = options;
  // Every content type reaches the handler as raw bytes, so that a refusal (415) can still keep the body
  // as evidence and validation runs on the exact bytes that get stored.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler(async (error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const delivery = { raw: Buffer.alloc(0), headers: request.headers as RequestHeaders };
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const message = `body is larger than MAX_BODY_BYTES (${maxBodyBytes} bytes)`;
      await ingest.refuse(delivery, 413, { code: 'PAYLOAD_TOO_LARGE', message, issues: [] });
      request.log.info({ reason: 'PAYLOAD_TOO_LARGE' }, 'webhook refused: %s', message);
      return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', message);
    }
    if (error instanceof StoreUnavailableError) {
      request.log.error({ err: error }, 'webhook not stored: the database refused the write');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendError(reply, 503, 'STORE_UNAVAILABLE', 'the event could not be stored; retry later');
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status !== 500) return sendError(reply, status, 'BAD_REQUEST', error.message);
    // A bug, not a busy disk: no Retry-After; the id finds the detail in the log.
    const errorId = Math.random().toString(36).slice(2, 10);
    request.log.error({ err: error, errorId }, 'webhook failed');
    return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', `internal error (id ${errorId})`);
  });

  app.post(WEBHOOK_PATH, async (request: FastifyRequest, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const delivery = { raw, headers: request.headers as RequestHeaders };
    const contentType = request.headers['content-type'] ?? '';
    let outcome: IntakeOutcome;
    // The signature is checked first, on the exact bytes received: nothing unsigned reaches a parser.
    const check = signature
      ? verifySignature(signature, delivery.headers, raw, now())
      : { ok: true as const };
    if (!check.ok) {
      outcome = await ingest.refuse(delivery, 401, {
        code: check.code,
        message: check.message,
        issues: [{ path: `headers.${check.header}`, message: check.message }],
      });
    } else if (!JSON_TYPE.test(contentType)) {
      const message = contentType
        ? `content type "${contentType}" is not accepted: send application/json (UTF-8)`
        : 'content type is missing: send application/json (UTF-8)';
      outcome = await ingest.refuse(delivery, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', message, issues: [] });
    } else {
      outcome = await ingest.accept(delivery);
    }
    if (outcome.kind === 'refused') {
      request.log.info(
        { reason: outcome.error.code, rejectionId: outcome.rejectionId },
        'webhook refused: %s',
        outcome.error.message,
      );
      return sendError(
        reply,
        outcome.status,
        outcome.error.code,
        outcome.error.message,
        outcome.error.issues,
      );
    }
    const location = `/events/${encodeURIComponent(outcome.event.id)}`;
    return reply
      .code(outcome.kind === 'stored' ? 201 : 200)
      .header('location', location)
      .send(describeOutcome(outcome));
  });
}
