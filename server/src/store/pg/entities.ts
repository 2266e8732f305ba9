import { and, count, desc, eq, gte } from 'drizzle-orm';
import type { EventReader } from '../types.js';
import type { PgContext } from './context.js';
import { keyset } from './filters.js';
import { entityColumns, toPage } from './rows.js';
import { entities } from './schema.js';

/** The store's entity reads. */
export type EntityReads = Pick<EventReader, 'getEntity' | 'listEntities' | 'countEntities'>;

/** Creates the entity reads over the query builder. */
export function createEntityReads(ctx: PgContext): EntityReads {
  const { db } = ctx;
  const ofType = (entityType: string | null) =>
    entityType === null ? undefined : eq(entities.entityType, entityType);
  return {
    async getEntity(id, cutoffMs) {
      const [row] = await db
        .select(entityColumns)
        .from(entities)
        .where(and(eq(entities.id, id), gte(entities.lastReceivedAt, cutoffMs)));
      return row ?? null;
    },
    async listEntities(entityType, first, after, cutoffMs) {
      const rows = await db
        .select(entityColumns)
        .from(entities)
        .where(
          and(
            gte(entities.lastReceivedAt, cutoffMs),
            ofType(entityType),
            after ? keyset(entities.lastReceivedAt, entities.id, '<', after) : undefined,
          ),
        )
        .orderBy(desc(entities.lastReceivedAt), desc(entities.id))
        .limit(first + 1);
      return toPage(rows, first);
    },
    async countEntities(entityType, cutoffMs) {
      const [row] = await db
        .select({ n: count() })
        .from(entities)
        .where(and(ofType(entityType), gte(entities.lastReceivedAt, cutoffMs)));
      return row?.n ?? 0;
    },
  };
}
