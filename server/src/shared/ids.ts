import { randomFillSync } from 'node:crypto';
import { monotonicFactory, type PRNG } from 'ulid';
import type { Clock } from './clock.js';

/**
 * Random numbers for ulid drawn from a pooled buffer of crypto bytes: ulid's default asks
 * `crypto.getRandomValues` for one byte per character, 16 calls per id, which costs far more than the id.
 */
function pooledRandom(poolBytes = 4096): PRNG {
  const pool = new Uint8Array(poolBytes);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    // A byte / 256 is uniform in [0, 1) in steps of 1/256; ulid keeps its top 5 bits, one base32 character.
    return (pool[next++] ?? 0) / 256;
  };
}

/**
 * Makes ULIDs: 26 characters, lexicographic order = creation order, so ids sort like (received_at, id)
 * keysets expect. Within one millisecond (or if the clock read earlier than before) ulid's monotonic factory
 * keeps the last time and increments the random part, so ids stay strictly increasing either way.
 * The clock must not read 0: ulid takes a seed of 0 for "no seed" and uses Date.now() instead.
 */
export function createIdGenerator(clock: Clock): () => string {
  const next = monotonicFactory(pooledRandom());
  return () => next(clock.now());
}
