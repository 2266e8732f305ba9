import { describe, expect, it } from 'vitest';
import { compareSequences, isSequence } from '../../src/domain/sequence.js';
import { createLive } from '../../src/live/index.js';
import { resumeSubscription } from '../../src/live/resume.js';

// live/resume.ts against a real in-process hub and a store stand-in whose reads see the commits made so
// far: events committed while the replay reads must come once, in order, whichever side sees them first.

interface Event {
  sequence: string;
  kind: 'a' | 'b';
}

const event = (n: number): Event => ({ sequence: String(n), kind: n % 3 === 0 ? 'b' : 'a' });

/** A store of committed events and a hub: `commit` stores then publishes, as the intake does. */
function setUp(committed: number) {
  const live = createLive<{ added: Event }>();
  const stored: Event[] = Array.from({ length: committed }, (_, i) => event(i + 1));
  const commit = (n: number) => {
    const e = event(n);
    stored.push(e);
    live.publish('added', e);
  };
  return { live, stored, commit };
}

async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const result = await iterator.next();
    if (result.done) break;
    out.push(result.value);
  }
  return out;
}

describe('resumeSubscription', () => {
  it('gives each event once, in order, when commits land during the replay (read and buffered alike)', async () => {
    const { live, stored, commit } = setUp(10);
    let next = 11;
    const subscription = resumeSubscription({
      live: live.subscribe('added'),
      after: '3',
      pageSize: 4,
      keep: () => true,
      // Each read first lets two more events commit (published to the buffer), then reads: so the
      // buffer holds events the replay reads too, and the last page is short only once it caught up.
      readAfter: async (after, limit) => {
        if (next < 20) {
          commit(next++);
          commit(next++);
        }
        return stored.filter((e) => compareSequences(e.sequence, after) > 0).slice(0, limit);
      },
    });
    // Replayed: 4 to 18 (the fourth read is short); the buffer's 11 to 18 are skipped.
    const got = await take(subscription, 15);
    commit(next++);
    commit(next++);
    got.push(...(await take(subscription, 2)));
    expect(got.map((e) => e.sequence)).toEqual(Array.from({ length: 17 }, (_, i) => String(i + 4)));
    await subscription.return();
    expect(live.subscriberCount('added')).toBe(0);
  });

  it('filters replayed and live events alike, and skips live ones the replay read but filtered out', async () => {
    const { live, stored, commit } = setUp(9);
    const source = live.subscribe('added');
    // Already stored and published meanwhile: the buffer holds 9 (a 'b') and 10.
    commit(9 + 1);
    const subscription = resumeSubscription({
      live: source,
      after: '0',
      keep: (e) => e.kind === 'a',
      readAfter: async (after, limit) =>
        stored.filter((e) => Number(e.sequence) > Number(after)).slice(0, limit),
    });
    live.publish('added', event(9));
    commit(11);
    commit(12);
    const got = await take(subscription, 8);
    expect(got.map((e) => e.sequence)).toEqual(['1', '2', '4', '5', '7', '8', '10', '11']);
    await subscription.return();
  });

  it('closes the live subscription at once, even while waiting for an event', async () => {
    const { live } = setUp(0);
    const subscription = resumeSubscription({
      live: live.subscribe('added'),
      after: '0',
      keep: () => true,
      readAfter: async () => [],
    });
    const waiting = subscription.next();
    await subscription.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(live.subscriberCount('added')).toBe(0);
  });
});

describe('sequence strings', () => {
  it('accepts only canonical decimal integers and orders them as numbers', () => {
    expect(['0', '1', '10', '123456789012345678901234567890'].every(isSequence)).toBe(true);
    expect(['', '-1', '01', '1.0', '1e3', ' 1', 'abc', '+1'].some(isSequence)).toBe(false);
    expect(compareSequences('9', '10')).toBeLessThan(0);
    expect(compareSequences('10', '9')).toBeGreaterThan(0);
    expect(compareSequences('42', '42')).toBe(0);
  });
});
