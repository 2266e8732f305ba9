import type { Store } from '../types.js';
import { toEntity, toPage, type EntityRow } from './rows.js';
import type { StatementCache } from './statements.js';

/** The store's entity reads. */
export type EntityReads = Pick<Store, 'getEntity' | 'listEntities' | 'countEntities'>;

/** Creates the entity reads over the statement cache. */
export function createEntityReads(prepare: StatementCache['prepare']): EntityReads {
  return {
    async getEntity(id, cutoffMs) {
      const row = prepare('SELECT * FROM entities WHERE id = ? AND last_received_at >= ?').get(
        id,
        cutoffMs,
      ) as EntityRow | undefined;
      return row ? toEntity(row) : null;
    },
    async listEntities(entityType, first, after, cutoffMs) {
      const typeClause = entityType === null ? '' : ' AND entity_type = @entityType';
      const keyset = after ? ' AND (last_received_at, id) < (@afterAt, @afterId)' : '';
      const rows = prepare(
        `SELECT * FROM entities WHERE last_received_at >= @cutoff${typeClause}${keyset}
         ORDER BY last_received_at DESC, id DESC LIMIT @limit`,
      ).all({
        cutoff: cutoffMs,
        limit: first + 1,
        ...(entityType === null ? {} : { entityType }),
        ...(after ? { afterAt: after.atMs, afterId: after.id } : {}),
      }) as EntityRow[];
      return toPage(rows, first, toEntity);
    },
    async countEntities(entityType, cutoffMs) {
      const row =
        entityType === null
          ? prepare('SELECT count(*) AS n FROM entities WHERE last_received_at >= ?').get(cutoffMs)
          : prepare('SELECT count(*) AS n FROM entities WHERE entity_type = ? AND last_received_at >= ?').get(
              entityType,
              cutoffMs,
            );
      return (row as { n: number }).n;
    },
  };
}
