import { and, count, desc, gte } from 'drizzle-orm';
import type { EventReader } from '../types.js';
import type { PgContext } from './context.js';
import { keyset } from './filters.js';
import { rejectionColumns, toPage } from './rows.js';
import { rejections } from './schema.js';

/** The store's rejection reads. */
export type RejectionReads = Pick<EventReader, 'listRejections' | 'countRejections'>;

/** Creates the rejection reads over the query builder. */
export function createRejectionReads(ctx: PgContext): RejectionReads {
  const { db } = ctx;
  return {
    async listRejections(first, after, cutoffMs) {
      const rows = await db
        .select(rejectionColumns)
        .from(rejections)
        .where(
          and(
            gte(rejections.receivedAt, cutoffMs),
            after ? keyset(rejections.receivedAt, rejections.id, '<', after) : undefined,
          ),
        )
        .orderBy(desc(rejections.receivedAt), desc(rejections.id))
        .limit(first + 1);
      return toPage(rows, first);
    },
    async countRejections(cutoffMs) {
      const [row] = await db
        .select({ n: count() })
        .from(rejections)
        .where(gte(rejections.receivedAt, cutoffMs));
      return row?.n ?? 0;
    },
  };
}
