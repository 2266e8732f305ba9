import type { JsonObject } from '../../domain/types.js';
import type { LearnableEvent } from '../../domain/schema-learning.js';
import type { EventReader } from '../types.js';
import type { PgContext, PgTx } from './context.js';

/** An event as the learner reads it: its facts and its body (parsed again only when no payload is given). */
export type LearnedEvent = LearnableEvent & { raw: Buffer };

/** The learning of one ingest transaction: the state of the batch's entity types, read once. */
export interface BatchLearner {
  /**
   * Learns one stored (not duplicate) event, in commit order; its drift warnings (null: none), judged
   * against what every event before it taught. Pure: nothing is written until {@link BatchLearner.write}.
   */
  learn(event: LearnedEvent, payload?: JsonObject): string[] | null;
  /** Writes what the batch taught (one statement), inside the same transaction, before its commit. */
  write(): Promise<void>;
}

/**
 * Inside the ingest transaction, under its lock: reads the learned shapes of `entityTypes` (one query)
 * and answers the learner of this batch.
 */
export async function loadBatchLearner(tx: PgTx, entityTypes: readonly string[]): Promise<BatchLearner> {
  void tx;
  void entityTypes;
  throw new Error('not implemented yet (pgB)');
}

/** The learned-schema reads of the contract. */
export function createSchemaReads(ctx: PgContext): Pick<EventReader, 'listSchemas' | 'getSchema'> {
  void ctx;
  return {
    listSchemas: () => Promise.reject(new Error('not implemented yet (pgB)')),
    getSchema: () => Promise.reject(new Error('not implemented yet (pgB)')),
  };
}
