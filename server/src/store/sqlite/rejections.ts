import type { Store } from '../types.js';
import { toPage, toRejection, type RejectionRow } from './rows.js';
import type { StatementCache } from './statements.js';

/** The store's rejection reads. */
export type RejectionReads = Pick<Store, 'listRejections' | 'countRejections'>;

/** Creates the rejection reads over the statement cache. */
export function createRejectionReads(prepare: StatementCache['prepare']): RejectionReads {
  return {
    async listRejections(first, after, cutoffMs) {
      const keyset = after ? ' AND (received_at, id) < (@afterAt, @afterId)' : '';
      const rows = prepare(
        `SELECT * FROM rejections WHERE received_at >= @cutoff${keyset} ORDER BY received_at DESC, id DESC LIMIT @limit`,
      ).all({
        cutoff: cutoffMs,
        limit: first + 1,
        ...(after ? { afterAt: after.atMs, afterId: after.id } : {}),
      }) as RejectionRow[];
      return toPage(rows, first, toRejection);
    },
    async countRejections(cutoffMs) {
      return (
        prepare('SELECT count(*) AS n FROM rejections WHERE received_at >= ?').get(cutoffMs) as { n: number }
      ).n;
    },
  };
}
