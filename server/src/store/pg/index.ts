import type { EventStore } from '../types.js';
import type { PgStoreOptions } from './context.js';
import { createCounterReads, createStats } from './counts.js';
import { createDeletes } from './deletes.js';
import { createDeliveryReads } from './deliveries.js';
import { createEntityReads } from './entities.js';
import { withClassifiedFailures } from './errors.js';
import { createEventReads, createListPage } from './events.js';
import { createMaintenance } from './maintenance.js';
import { closePgContext, openPgContext } from './open.js';
import { createPartitions } from './partitions.js';
import { createRejectionReads } from './rejections.js';
import { createSchemaReads } from './schemas.js';
import { createTrafficReads } from './traffic.js';
import { createWriter } from './writes.js';

export type { PgAnnounce, PgStoreOptions, ReceivedAtStamp } from './context.js';

/** Every method of `methods` with its failures classified: the store's rejections, as the contract says. */
function classifyingErrors<T extends { [K in keyof T]: (...args: never[]) => Promise<unknown> }>(
  methods: T,
): T {
  const entries = Object.entries(methods).map(([key, method]) => [
    key,
    withClassifiedFailures(method as (...args: unknown[]) => Promise<unknown>),
  ]);
  return Object.fromEntries(entries) as T;
}

/**
 * Opens the PostgreSQL store (see {@link EventStore} and docs/postgres.md): applies pending migrations
 * under an advisory lock, makes sure today's partition exists, and answers the store. Rejects with
 * StoreUnavailableError when the database cannot be reached.
 */
export async function createPgStore(options: PgStoreOptions): Promise<EventStore> {
  const ctx = await withClassifiedFailures(openPgContext)(options);
  try {
    const partitions = createPartitions(ctx);
    await partitions.ensure([Date.now()]);
    const maintenance = createMaintenance(ctx, partitions);
    const writer = createWriter(ctx, { partitions, onEvicted: maintenance.reportEviction });
    const listPage = createListPage(ctx);
    const counters = createCounterReads(ctx);
    const events = createEventReads(ctx, counters, listPage);
    const entities = createEntityReads(ctx);
    const rejections = createRejectionReads(ctx);
    return {
      ...classifyingErrors({
        insertEvent: writer.insertEvent,
        insertRejection: writer.insertRejection,
        insertDelivery: writer.insertDelivery,
        ...createDeletes(ctx, listPage),
        ...createDeliveryReads(ctx),
        ...events,
        ...entities,
        ...rejections,
        ...createSchemaReads(ctx),
        stats: createStats(ctx, counters, { ...entities, ...rejections }),
        ...createTrafficReads(ctx),
        // Readiness (`/readyz`): one round trip on the pool, as every other call makes.
        ping: async () => {
          await ctx.sql`select 1`;
        },
      }),
      startMaintenance: maintenance.startMaintenance,
      async close() {
        if (writer.closed) return;
        await writer.close();
        await closePgContext(ctx, 5);
      },
    };
  } catch (error) {
    await closePgContext(ctx, 1);
    throw error;
  }
}
