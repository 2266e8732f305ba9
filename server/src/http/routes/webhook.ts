import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Delivery, Ingest, IntakeOutcome, RequestHeaders } from '../../intake/ingest.js';
import { StoreUnavailableError } from '../../store/types.js';
import { msToDateTime } from '../../api/datetime.js';
import { ErrorCode } from '../../api/errors.js';
import { eventPath, WEBHOOK_PATH } from '../../api/paths.js';
import type { WebhookSignatureConfig } from '../../config.js';
import { verifySignature, type SignatureCheck } from '../../intake/signature.js';
import { sendError, sendInternalError, sendUnavailable } from '../reply.js';

// application/json or any application/*+json, with an optional utf-8 charset: the body must be UTF-8 JSON.
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Options of the webhook route. */
export interface WebhookRouteOptions {
  ingest: Ingest;
  maxBodyBytes: number;
  /** Signature verification; null accepts unsigned deliveries. */
  signature?: WebhookSignatureConfig | null;
  /** The injected clock's now (epoch ms), for the signature's timestamp window. */
  now: () => number;
}

function describeOutcome(outcome: IntakeOutcome & { kind: 'stored' | 'duplicate' }) {
  const { event } = outcome;
  return {
    id: event.id,
    sequence: event.sequence,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    receivedAt: msToDateTime(event.receivedAtMs),
    duplicate: outcome.kind === 'duplicate',
  };
}

/** Refuses a delivery whose signature (checked first, on the exact bytes received: nothing unsigned
 * reaches a parser) or content type is wrong; hands the rest to the intake. */
async function intake(
  ingest: Ingest,
  delivery: Delivery,
  contentType: string,
  check: SignatureCheck,
): Promise<IntakeOutcome> {
  if (!check.ok) {
    return ingest.refuse(delivery, 401, {
      code: check.code,
      message: check.message,
      issues: [{ path: `headers.${check.header}`, message: check.message }],
    });
  }
  if (!JSON_TYPE.test(contentType)) {
    const message = contentType
      ? `content type "${contentType}" is not accepted: send application/json (UTF-8)`
      : 'content type is missing: send application/json (UTF-8)';
    return ingest.refuse(delivery, 415, { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message, issues: [] });
  }
  return ingest.accept(delivery);
}

/** Registers `POST` {@link WEBHOOK_PATH}: raw bytes in, 201 only once the event is committed. */
export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  const { ingest, maxBodyBytes, signature = null, now } = options;
  // Every content type reaches the handler as raw bytes, so that a refusal (415) can still keep the body
  // as evidence and validation runs on the exact bytes that get stored.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler(async (error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const delivery = { raw: Buffer.alloc(0), headers: request.headers as RequestHeaders };
    if (error instanceof errorCodes.FST_ERR_CTP_BODY_TOO_LARGE) {
      const message = `body is larger than MAX_BODY_BYTES (${maxBodyBytes} bytes)`;
      await ingest.refuse(delivery, 413, { code: ErrorCode.PAYLOAD_TOO_LARGE, message, issues: [] });
      request.log.info({ reason: ErrorCode.PAYLOAD_TOO_LARGE }, 'webhook refused: %s', message);
      return sendError(reply, 413, ErrorCode.PAYLOAD_TOO_LARGE, message);
    }
    if (error instanceof StoreUnavailableError) {
      request.log.error({ err: error }, 'webhook not stored: the database refused the write');
      return sendUnavailable(reply, 'the event could not be stored; retry later');
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status !== 500) return sendError(reply, status, ErrorCode.BAD_REQUEST, error.message);
    return sendInternalError(reply, request.log, error, 'webhook failed');
  });

  app.post(WEBHOOK_PATH, async (request: FastifyRequest, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const delivery = { raw, headers: request.headers as RequestHeaders };
    const check: SignatureCheck = signature
      ? verifySignature(signature, delivery.headers, raw, now())
      : { ok: true };
    const outcome = await intake(ingest, delivery, request.headers['content-type'] ?? '', check);
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
    return reply
      .code(outcome.kind === 'stored' ? 201 : 200)
      .header('location', eventPath(outcome.event.id))
      .send(describeOutcome(outcome));
  });
}
