import { and, count, desc, eq, gte, sql } from 'drizzle-orm';
import type { EventReader } from '../types.js';
import { keyset, keysetParams } from './filters.js';
import type { Orm } from './orm.js';
import { entityColumns, toPage } from './rows.js';
import { entities } from './schema.js';

/** The store's entity reads. */
export type EntityReads = Pick<EventReader, 'getEntity' | 'listEntities' | 'countEntities'>;

const ofType = () => eq(entities.entityType, sql.placeholder('entityType'));
const retained = () => gte(entities.lastReceivedAt, sql.placeholder('cutoff'));

/** The newest-first page query of entities, of one type or all, with or without a keyset. */
function listStatement(orm: Orm, typed: boolean, after: boolean) {
  return orm
    .select(entityColumns)
    .from(entities)
    .where(
      and(
        retained(),
        typed ? ofType() : undefined,
        after ? keyset(entities.lastReceivedAt, entities.id, '<') : undefined,
      ),
    )
    .orderBy(desc(entities.lastReceivedAt), desc(entities.id))
    .limit(sql.placeholder('limit'))
    .prepare();
}

function countStatement(orm: Orm, typed: boolean) {
  return orm
    .select({ n: count() })
    .from(entities)
    .where(and(typed ? ofType() : undefined, retained()))
    .prepare();
}

/** Creates the entity reads over the query builder. */
export function createEntityReads(orm: Orm): EntityReads {
  const byId = orm
    .select(entityColumns)
    .from(entities)
    .where(and(eq(entities.id, sql.placeholder('id')), retained()))
    .prepare();
  // Indexed [typed][after]: every shape, prepared up front.
  const lists = [
    [listStatement(orm, false, false), listStatement(orm, false, true)],
    [listStatement(orm, true, false), listStatement(orm, true, true)],
  ] as const;
  const counts = [countStatement(orm, false), countStatement(orm, true)] as const;
  return {
    async getEntity(id, cutoffMs) {
      return byId.get({ id, cutoff: cutoffMs }) ?? null;
    },
    async listEntities(entityType, first, after, cutoffMs) {
      const statement = lists[entityType === null ? 0 : 1][after === null ? 0 : 1];
      const rows = statement.all({
        cutoff: cutoffMs,
        limit: first + 1,
        ...(entityType === null ? {} : { entityType }),
        ...keysetParams(after),
      });
      return toPage(rows, first);
    },
    async countEntities(entityType, cutoffMs) {
      const statement = counts[entityType === null ? 0 : 1];
      return statement.get({ cutoff: cutoffMs, ...(entityType === null ? {} : { entityType }) })?.n ?? 0;
    },
  };
}
