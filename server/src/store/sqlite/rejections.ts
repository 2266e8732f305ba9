import { and, count, desc, gte, sql } from 'drizzle-orm';
import type { EventReader } from '../types.js';
import { keyset, keysetParams } from './filters.js';
import type { Orm } from './orm.js';
import { rejectionColumns, toPage } from './rows.js';
import { rejections } from './schema.js';

/** The store's rejection reads. */
export type RejectionReads = Pick<EventReader, 'listRejections' | 'countRejections'>;

const retained = () => gte(rejections.receivedAt, sql.placeholder('cutoff'));

/** The newest-first page query of rejections, with or without a keyset. */
function listStatement(orm: Orm, after: boolean) {
  return orm
    .select(rejectionColumns)
    .from(rejections)
    .where(and(retained(), after ? keyset(rejections.receivedAt, rejections.id, '<') : undefined))
    .orderBy(desc(rejections.receivedAt), desc(rejections.id))
    .limit(sql.placeholder('limit'))
    .prepare();
}

/** Creates the rejection reads over the query builder. */
export function createRejectionReads(orm: Orm): RejectionReads {
  const fromNewest = listStatement(orm, false);
  const fromPosition = listStatement(orm, true);
  const total = orm.select({ n: count() }).from(rejections).where(retained()).prepare();
  return {
    async listRejections(first, after, cutoffMs) {
      const params = { cutoff: cutoffMs, limit: first + 1, ...keysetParams(after) };
      return toPage((after ? fromPosition : fromNewest).all(params), first);
    },
    async countRejections(cutoffMs) {
      return total.get({ cutoff: cutoffMs })?.n ?? 0;
    },
  };
}
