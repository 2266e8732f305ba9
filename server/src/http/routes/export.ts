import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { msToDateTime } from '../../api/datetime.js';
import { toEventQuery } from '../../api/filter-input.js';
import { REST_PATHS } from '../../api/paths.js';
import { formatRfc3339 } from '../../shared/time.js';
import type { EventQuery, EventReader, Keyset, StoredEvent } from '../../store/types.js';
import { eventFilterParams, parseQueryOrReply } from './query.js';

/** Events read per store call while exporting: one page is all the export holds in memory. */
export const EXPORT_PAGE_ROWS = 200;

/** The file formats of an export. */
export const EXPORT_FORMATS = ['ndjson', 'json'] as const;

/** One exported event (a line of NDJSON, an element of the JSON array): what a fixture needs to re-send it. */
export interface ExportedEvent {
  id: string;
  /** Its position in commit order (docs/api.md, "Event order"); a re-sent fixture event gets a new one. */
  sequence: string;
  receivedAt: string;
  time: string;
  action: StoredEvent['action'];
  entityType: string;
  entityId: string;
  deliveryId: string | null;
  headers: Record<string, string> | null;
  /** The exact body as UTF-8 text, when it is valid UTF-8 (otherwise absent). */
  raw?: string;
  /** The exact body in base64, only when it is not valid UTF-8 (then `raw` is absent). */
  rawBase64?: string;
}

/** An event as an export writes it: the body as text when it is valid UTF-8, else as base64. */
export function toExportedEvent(event: StoredEvent): ExportedEvent {
  return {
    id: event.id,
    sequence: event.sequence,
    receivedAt: msToDateTime(event.receivedAtMs),
    time: msToDateTime(event.timeMs),
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    deliveryId: event.deliveryId,
    headers: event.headers,
    ...(isUtf8(event.raw)
      ? { raw: event.raw.toString('utf8') }
      : { rawBase64: event.raw.toString('base64') }),
  };
}

const exportQuerySchema = z
  .object({ ...eventFilterParams, format: z.enum(EXPORT_FORMATS).optional() })
  .strict();

/** What the export reads. */
export interface ExportRouteOptions {
  reads: Pick<EventReader, 'listEvents' | 'listEventsOldestFirst'>;
  cutoffMs: () => number;
}

/**
 * The matching events oldest first, page by page, up to the newest that matched when the export began
 * (so that a steady ingest cannot make it endless). Each page is read only when the consumer wants more.
 */
async function* matchingEvents(
  reads: ExportRouteOptions['reads'],
  query: EventQuery,
  cutoffMs: number,
): AsyncGenerator<StoredEvent> {
  const newest = (await reads.listEvents(query, 1, null, cutoffMs)).rows[0];
  if (!newest) return;
  let after: Keyset | null = null;
  for (;;) {
    const page = await reads.listEventsOldestFirst(query, EXPORT_PAGE_ROWS, after, cutoffMs);
    for (const event of page.rows) {
      yield event;
      if (event.id === newest.id) return;
    }
    const last = page.rows.at(-1);
    if (!page.hasNextPage || !last) return;
    after = { atMs: last.receivedAtMs, id: last.id };
  }
}

/** The text of an export: one JSON object a line (NDJSON), or the same objects as one JSON array. */
async function* exportText(
  events: AsyncGenerator<StoredEvent>,
  format: (typeof EXPORT_FORMATS)[number],
): AsyncGenerator<string> {
  let first = true;
  if (format === 'json') yield '[';
  for await (const event of events) {
    const json = JSON.stringify(toExportedEvent(event));
    if (format === 'ndjson') yield `${json}\n`;
    else yield `${first ? '\n' : ',\n'}${json}`;
    first = false;
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}

/** Registers `GET /events/export` (inside the REST routes, which give it their error handling). */
export function registerExportRoute(app: FastifyInstance, options: ExportRouteOptions): void {
  const { reads, cutoffMs } = options;
  app.get(REST_PATHS.eventsExport, async (request, reply) => {
    const parsed = parseQueryOrReply(exportQuerySchema, request.query, reply);
    if (!parsed) return reply;
    const { format = 'ndjson', ...filter } = parsed.data;
    const query = toEventQuery(filter);
    const cutoff = cutoffMs();
    // The first read happens before any byte is sent, so a store that is unavailable still gets its 503.
    const events = matchingEvents(reads, query, cutoff);
    const head = await events.next();
    async function* all(): AsyncGenerator<StoredEvent> {
      if (head.done) return;
      yield head.value;
      yield* events;
    }
    const stamp = formatRfc3339(Date.now()).replace(/[:.]/g, '-');
    return reply
      .type(format === 'ndjson' ? 'application/x-ndjson; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="hookscope-events-${stamp}.${format}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(exportText(all(), format)));
  });
}
