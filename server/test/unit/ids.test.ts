import fc from 'fast-check';
import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { createIdGenerator } from '../../src/shared/ids.js';

// How the clock moves between two ids: stays on the same millisecond, steps forward, or (which the arrivals
// clock never does, but a bare clock may) reads earlier than before.
const moves = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 5_000 }),
  fc.integer({ min: -5_000, max: -1 }),
);

describe('createIdGenerator', () => {
  it('makes ids that strictly increase and carry the latest time the clock has read', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5_001, max: 2 ** 44 }),
        fc.array(fc.tuple(moves, fc.integer({ min: 1, max: 5 })), { maxLength: 200 }),
        (startMs, plan) => {
          let nowMs = startMs;
          const newId = createIdGenerator({ now: () => nowMs });
          let previous = newId();
          let latestMs = startMs;
          for (const [moveMs, repeats] of plan) {
            nowMs = Math.max(1, nowMs + moveMs);
            latestMs = Math.max(latestMs, nowMs);
            for (let i = 0; i < repeats; i++) {
              const id = newId();
              expect(isValid(id)).toBe(true);
              expect(id > previous).toBe(true);
              expect(decodeTime(id)).toBe(latestMs);
              previous = id;
            }
          }
        },
      ),
    );
  });

  it('orders the ids of separate generators by their milliseconds, whatever the random part', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 44 }),
        fc.integer({ min: 1, max: 1_000 }),
        (earlyMs, gapMs) => {
          const early = createIdGenerator({ now: () => earlyMs })();
          const late = createIdGenerator({ now: () => earlyMs + gapMs })();
          expect(early < late).toBe(true);
        },
      ),
    );
  });
});
