import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Makes ULIDs: 26 characters, lexicographic order = creation order (monotonic within one millisecond),
 * so ids sort like (received_at, id) keysets expect. */
export function createIdGenerator(clock: Clock): () => string {
  let lastMs = -1;
  const random = new Uint8Array(10);
  return () => {
    const nowMs = clock.now();
    if (nowMs > lastMs) {
      random.set(randomBytes(10));
      lastMs = nowMs;
    } else {
      // Same (or an earlier, if the clock stepped back) millisecond: increment the random part to stay ordered.
      for (let i = random.length - 1; i >= 0; i--) {
        random[i] = ((random[i] ?? 0) + 1) & 0xff;
        if (random[i] !== 0) break;
      }
    }
    let time = '';
    let t = lastMs;
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    let bits = 0;
    let value = 0;
    let rest = '';
    for (const byte of random) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        rest += CROCKFORD[(value >> bits) & 31];
      }
      value &= (1 << bits) - 1;
    }
    return time + rest;
  };
}
