import type { GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { Subscription } from '../../src/graphql/resolvers/subscription.js';
import { createLive } from '../../src/live/index.js';
import type { LiveTopics } from '../../src/live/topics.js';
import { StoreUnavailableError, type StoredEvent } from '../../src/store/types.js';

// A client resumes (eventAdded with `after`) right after a reconnect, which is when a database restart
// happens too (the cluster test's chaos showed it): the resume must wait the restart out, not end the
// subscription with an error that the dashboard does not restart.

const stored = (n: number): StoredEvent =>
  ({ id: `e${n}`, sequence: String(n), action: 'create', entityType: 'task', entityId: 'x' }) as StoredEvent;

/** The resolver's context with reads that fail `failures` times as unavailable, then answer. */
function context(failures: number) {
  let left = failures;
  const unavailable = () => new StoreUnavailableError('the database is unavailable (test)', { cause: null });
  const live = createLive<LiveTopics>();
  const ctx = {
    live,
    cutoffMs: () => 0,
    reads: {
      sequenceBounds: async () => {
        if (left-- > 0) throw unavailable();
        return { firstRetained: '1', last: '3' };
      },
      eventsAfterSequence: async (after: string) => {
        if (left-- > 0) throw unavailable();
        return [1, 2, 3].filter((n) => n > Number(after)).map(stored);
      },
    },
  } as unknown as GraphQLContext;
  return { ctx };
}

async function subscribe(ctx: GraphQLContext): Promise<AsyncIterator<StoredEvent>> {
  const resolver = Subscription.eventAdded as { subscribe: (...args: unknown[]) => unknown };
  return (await resolver.subscribe(
    {},
    { after: '1' },
    ctx,
    {} as GraphQLResolveInfo,
  )) as AsyncIterator<StoredEvent>;
}

describe('eventAdded(after) while the database is away', () => {
  it('waits for the bounds and the replay instead of ending the subscription', async () => {
    const { ctx } = context(4);
    const iterator = await subscribe(ctx);
    const first = await iterator.next();
    const second = await iterator.next();
    expect([first.value?.sequence, second.value?.sequence]).toEqual(['2', '3']);
    await iterator.return?.();
  });

  it('still refuses at once what is not an outage', async () => {
    const { ctx } = context(0);
    const resolver = Subscription.eventAdded as { subscribe: (...args: unknown[]) => Promise<unknown> };
    await expect(resolver.subscribe({}, { after: '9' }, ctx, {} as GraphQLResolveInfo)).rejects.toMatchObject(
      {
        extensions: { code: 'RESYNC_REQUIRED' },
      },
    );
  });
});
