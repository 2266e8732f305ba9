import type { Client, ExecutionResult, Sink } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { laterSequence, RESYNC_REQUIRED, subscribeResumable, type SubscribeClient } from './resume.js';

interface Data {
  eventAdded: { sequence: string };
}

/** A graphql-ws client stand-in: records each subscribe's payload object and sink, as graphql-ws keeps them. */
function fakeClient() {
  const subscriptions: {
    payload: { query: string; variables?: Record<string, unknown> | null };
    sink: Sink<ExecutionResult<Data>>;
    active: boolean;
  }[] = [];
  const client: SubscribeClient = {
    subscribe: ((payload, sink) => {
      const entry = { payload, sink: sink as Sink<ExecutionResult<Data>>, active: true };
      subscriptions.push(entry);
      return () => {
        entry.active = false;
      };
    }) as Client['subscribe'],
  };
  /** What graphql-ws would send on a retry: the same payload object, serialized now. */
  const resent = (index: number) => JSON.parse(JSON.stringify(subscriptions[index]?.payload)) as unknown;
  return { client, subscriptions, resent };
}

const event = (sequence: string): ExecutionResult<Data> => ({ data: { eventAdded: { sequence } } });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('subscribeResumable', () => {
  it('keeps `after` at the last sequence received inside the payload graphql-ws re-sends on a retry', () => {
    const { client, subscriptions, resent } = fakeClient();
    const received: string[] = [];
    subscribeResumable<Data>(client, {
      query: 'subscription S($after: String) { eventAdded(after: $after) { sequence } }',
      variables: { filter: { entityType: 'task' } },
      after: null,
      sequenceOf: (data) => data.eventAdded.sequence,
      onData: (data) => received.push(data.eventAdded.sequence),
      onResync: () => Promise.resolve(null),
    });
    expect(resent(0)).toMatchObject({ variables: { filter: { entityType: 'task' }, after: null } });
    subscriptions[0]?.sink.next(event('9'));
    subscriptions[0]?.sink.next(event('10'));
    // A retry now resumes after 10 (compared as integers: "9" sorts after "10" as text).
    expect(resent(0)).toMatchObject({ variables: { filter: { entityType: 'task' }, after: '10' } });
    expect(received).toEqual(['9', '10']);
    expect(subscriptions).toHaveLength(1);
  });

  it('on RESYNC_REQUIRED stops, reloads, and subscribes again after the newest sequence the reload answers', async () => {
    const { client, subscriptions, resent } = fakeClient();
    const received: string[] = [];
    let reloads = 0;
    const stop = subscribeResumable<Data>(client, {
      query: 'subscription S($after: String) { eventAdded(after: $after) { sequence } }',
      variables: {},
      after: '5',
      sequenceOf: (data) => data.eventAdded.sequence,
      onData: (data) => received.push(data.eventAdded.sequence),
      onResync: () => {
        reloads++;
        return Promise.resolve('42');
      },
    });
    subscriptions[0]?.sink.next({
      errors: [{ message: 'after: too old', extensions: { code: RESYNC_REQUIRED } }],
    } as unknown as ExecutionResult<Data>);
    await settle();
    expect(reloads).toBe(1);
    expect(received).toEqual([]);
    expect(subscriptions.map((s) => s.active)).toEqual([false, true]);
    expect(resent(1)).toMatchObject({ variables: { after: '42' } });
    subscriptions[1]?.sink.next(event('43'));
    expect(received).toEqual(['43']);
    stop();
    expect(subscriptions[1]?.active).toBe(false);
  });
});

describe('laterSequence', () => {
  it('compares as integers', () => {
    expect(laterSequence('9', '10')).toBe('10');
    expect(laterSequence('100', '99')).toBe('100');
    expect(laterSequence(null, '3')).toBe('3');
    expect(laterSequence('3', null)).toBe('3');
  });
});
