/** Why a subscription ended without being asked to. */
export class SubscriberOverflowError extends Error {
  override name = 'SubscriberOverflowError';
}

/** A live subscription: an async iterator that must be returned (closed) by its consumer when done. */
export type Subscription<T> = AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> };

/** The subscribe side of {@link Live}: what http/ and graphql/ may use. */
export interface LiveSubscriber<Topics extends object> {
  /** Subscribes to a topic from now on; a subscriber more than `maxQueue` messages behind is ended with an error. */
  subscribe<K extends keyof Topics>(topic: K, options?: { maxQueue?: number }): Subscription<Topics[K]>;
  /** How many subscriptions are open on a topic. */
  subscriberCount(topic: keyof Topics): number;
}

/** Typed in-process publish/subscribe with bounded per-subscriber queues. The narrow interface is what a
 * Redis-backed implementation would offer too. */
export interface Live<Topics extends object> extends LiveSubscriber<Topics> {
  publish<K extends keyof Topics>(topic: K, message: Topics[K]): void;
  /** Ends every subscription (on shutdown). */
  close(): void;
}

interface Subscriber<T> {
  push(message: T): void;
  end(): void;
}

/** Default queue bound per subscriber: generous for bursts, small enough to bound memory. */
export const DEFAULT_MAX_QUEUE = 10_000;

/** Creates an in-process {@link Live}. */
export function createLive<Topics extends object>(): Live<Topics> {
  const topics = new Map<keyof Topics, Set<Subscriber<unknown>>>();

  function subscribe<K extends keyof Topics>(
    topic: K,
    options?: { maxQueue?: number },
  ): Subscription<Topics[K]> {
    const maxQueue = options?.maxQueue ?? DEFAULT_MAX_QUEUE;
    const queue: Topics[K][] = [];
    let waiting: ((result: IteratorResult<Topics[K]>) => void) | null = null;
    let done = false;
    let failure: Error | null = null;

    const set = topics.get(topic) ?? new Set<Subscriber<unknown>>();
    topics.set(topic, set);
    const detach = (): void => {
      set.delete(subscriber as Subscriber<unknown>);
      if (set.size === 0) topics.delete(topic);
    };
    const subscriber: Subscriber<Topics[K]> = {
      push(message) {
        if (done) return;
        if (waiting) {
          const resolve = waiting;
          waiting = null;
          resolve({ value: message, done: false });
        } else if (queue.length >= maxQueue) {
          failure = new SubscriberOverflowError(`subscriber fell more than ${maxQueue} messages behind`);
          done = true;
          queue.length = 0;
          detach();
        } else {
          queue.push(message);
        }
      },
      end() {
        done = true;
        detach();
        if (waiting) {
          const resolve = waiting;
          waiting = null;
          resolve({ value: undefined, done: true });
        }
      },
    };
    set.add(subscriber as Subscriber<unknown>);

    const iterator: Subscription<Topics[K]> = {
      next() {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as Topics[K], done: false });
        if (failure) {
          const error = failure;
          failure = null;
          return Promise.reject(error);
        }
        if (done) return Promise.resolve({ value: undefined, done: true });
        // Overflow only happens with a non-empty queue, so a waiting consumer never needs to be failed.
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return() {
        subscriber.end();
        queue.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
      throw(error?: unknown) {
        subscriber.end();
        return Promise.reject(error);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    subscribe,
    subscriberCount: (topic) => topics.get(topic)?.size ?? 0,
    publish(topic, message) {
      const set = topics.get(topic);
      if (!set) return;
      for (const subscriber of [...set]) subscriber.push(message);
    },
    close() {
      for (const set of [...topics.values()]) for (const subscriber of [...set]) subscriber.end();
      topics.clear();
    },
  };
}

/**
 * The same hub, calling `listener` after every publish on one of `topics`. Derived feeds (the live counts)
 * follow the hub this way instead of subscribing, so they never show in {@link LiveSubscriber.subscriberCount}
 * and cost nothing per message beyond the call.
 */
export function tapPublishes<Topics extends object>(
  live: Live<Topics>,
  topics: readonly (keyof Topics)[],
  listener: (topic: keyof Topics) => void,
): Live<Topics> {
  const tapped = new Set<keyof Topics>(topics);
  return {
    subscribe: (topic, options) => live.subscribe(topic, options),
    subscriberCount: (topic) => live.subscriberCount(topic),
    publish(topic, message) {
      live.publish(topic, message);
      if (tapped.has(topic)) listener(topic);
    },
    close: () => live.close(),
  };
}

/** A view of a subscription that skips messages failing `keep`; closing it closes the subscription at once
 * (an async generator would wait for the next message before honouring `return`). */
export function filterSubscription<T>(
  source: Subscription<T>,
  keep: (message: T) => boolean,
): Subscription<T> {
  const filtered: Subscription<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: () => source.return(),
    throw: (error?: unknown) => source.return().then(() => Promise.reject(error)),
    [Symbol.asyncIterator]: () => filtered,
  };
  return filtered;
}
