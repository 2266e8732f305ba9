import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { msToDateTime } from '../../api/datetime.js';
import type { EntityReader, FoldedEntity } from '../../read/entities.js';
import { changesForApi, payloadOf } from '../../read/entities.js';
import { toEventQuery } from '../../api/filter-input.js';
import { ErrorCode, InputError } from '../../api/errors.js';
import type { EventAnalysis } from '../../domain/types.js';
import { arrivalKeyset, nextCursor, pageArgs } from '../../api/pagination.js';
import { REST_PATHS } from '../../api/paths.js';
import { jsonSchemaOf, schemaToJson } from '../../api/schemas.js';
import { StoreUnavailableError, type EventReader, type StoredEvent } from '../../store/types.js';
import { sendError, sendInternalError, sendUnavailable } from '../reply.js';
import { registerExportRoute } from './export.js';
import { eventFilterParams, parseQueryOrReply } from './query.js';

/** The store's reads that the REST routes use. */
export type RestEventReads = Pick<
  EventReader,
  'getEvent' | 'listEvents' | 'listEventsOldestFirst' | 'listSchemas' | 'getSchema'
>;

/** Options of the REST read routes: read-only views of what they use. */
export interface RestRouteOptions {
  reads: RestEventReads;
  /** Entity folds (cached). */
  entities: Pick<EntityReader, 'fold'>;
  /** The retention cut-off in force (epoch ms). */
  cutoffMs: () => number;
}

/** An event as the REST API shows it (the same fields as GraphQL's Event). */
export function eventToJson(event: StoredEvent, analysis?: EventAnalysis) {
  return {
    id: event.id,
    sequence: event.sequence,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    time: msToDateTime(event.timeMs),
    receivedAt: msToDateTime(event.receivedAtMs),
    modifiedFields: event.modifiedFields,
    deliveryId: event.deliveryId,
    headers: event.headers,
    payload: payloadOf(event),
    raw: event.raw.toString('utf8'),
    drift: event.drift ?? [],
    ...(analysis
      ? {
          changes: changesForApi(analysis.changes),
          warnings: [...analysis.warnings, ...(event.drift ?? [])],
        }
      : {}),
  };
}

function aggregateToJson({ fold }: FoldedEntity) {
  return {
    id: fold.entityId,
    entityType: fold.entityType,
    state: fold.state,
    deleted: fold.deleted,
    complete: fold.complete,
    version: fold.version,
    createdAt: fold.createdAtMs === null ? null : msToDateTime(fold.createdAtMs),
    updatedAt: msToDateTime(fold.updatedAtMs),
    warnings: fold.warnings,
  };
}

const listQuerySchema = z
  .object({
    ...eventFilterParams,
    first: z.coerce.number().optional(),
    after: z.string().optional(),
  })
  .strict();

const entityNotFound = (reply: FastifyReply, id: string): FastifyReply =>
  sendError(reply, 404, ErrorCode.NOT_FOUND, `no retained event for entity "${id}"`);

/** Registers the REST reads for curl users: /events, /events/:id, /entities/:id, /aggregates/:id (and its
 * misspelled alias /aggrigates/:id). */
export async function restRoutes(app: FastifyInstance, options: RestRouteOptions): Promise<void> {
  const { reads, entities, cutoffMs } = options;

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof InputError) return sendError(reply, 400, error.code, error.message);
    if (error instanceof StoreUnavailableError) {
      request.log.warn({ err: error }, 'read failed: the store is unavailable');
      return sendUnavailable(reply, 'the store is unavailable; retry later');
    }
    return sendInternalError(reply, request.log, error, 'read failed');
  });

  registerExportRoute(app, { reads, cutoffMs });

  app.get(REST_PATHS.events, async (request, reply) => {
    const parsed = parseQueryOrReply(listQuerySchema, request.query, reply);
    if (!parsed) return reply;
    const { first, after } = pageArgs(parsed.data);
    const page = await reads.listEvents(toEventQuery(parsed.data), first, after, cutoffMs());
    return {
      events: page.rows.map((event) => eventToJson(event)),
      nextCursor: nextCursor(page, arrivalKeyset),
    };
  });

  app.get<{ Params: { id: string } }>(REST_PATHS.event, async (request, reply) => {
    const cutoff = cutoffMs();
    const event = await reads.getEvent(request.params.id, cutoff);
    if (!event)
      return sendError(reply, 404, ErrorCode.NOT_FOUND, `no retained event with id "${request.params.id}"`);
    const folded = await entities.fold(event.entityId, cutoff);
    return eventToJson(event, folded?.fold.analysis.get(event.id));
  });

  app.get<{ Params: { id: string } }>(REST_PATHS.entity, async (request, reply) => {
    const folded = await entities.fold(request.params.id, cutoffMs());
    if (!folded) return entityNotFound(reply, request.params.id);
    return {
      entityId: folded.fold.entityId,
      events: folded.fold.order.flatMap(({ id }) => {
        const event = folded.events.get(id);
        return event ? [eventToJson(event, folded.fold.analysis.get(id))] : [];
      }),
    };
  });

  const aggregate = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const folded = await entities.fold(request.params.id, cutoffMs());
    if (!folded) return entityNotFound(reply, request.params.id);
    return aggregateToJson(folded);
  };
  app.get(REST_PATHS.aggregate, aggregate);
  // An alias, not a redirect: a client of the seed's README may not follow redirects.
  app.get(REST_PATHS.aggregateMisspelled, aggregate);

  app.get(REST_PATHS.schemas, async () => ({
    schemas: (await reads.listSchemas(cutoffMs())).map(schemaToJson),
  }));

  app.get<{ Params: { name: string } }>(REST_PATHS.schema, async (request, reply) => {
    const { name } = request.params;
    const wantsJsonSchema = name.endsWith('.json');
    const entityType = wantsJsonSchema ? name.slice(0, -'.json'.length) : name;
    const schema = await reads.getSchema(entityType, cutoffMs());
    if (!schema)
      return sendError(reply, 404, ErrorCode.NOT_FOUND, `no learned schema for entity type "${entityType}"`);
    if (!wantsJsonSchema) return schemaToJson(schema);
    // A download: the file is named after the entity type (quotes and controls kept out of the header).
    const fileName = `${entityType.replace(/[^\w.-]+/g, '_')}.schema.json`;
    return reply
      .type('application/schema+json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .send(JSON.stringify(jsonSchemaOf(schema), null, 2));
  });
}
