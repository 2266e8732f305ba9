import type { EventAction, EventFilter, StreamRow_EventFragment } from '../../gql/graphql.js';
import type { EventCount } from '../../components/useConfirmedDelete.js';
import type { StreamPage, StreamSource } from './controller.js';

/** A test event received `secondsAgo` before a fixed instant; ids sort like the server's (time first). */
export function makeEvent(n: number, patch: Partial<StreamRow_EventFragment> = {}): StreamRow_EventFragment {
  const receivedAt = new Date(Date.UTC(2024, 0, 1, 12, 0, 0) + n * 1000).toISOString();
  return {
    id: `evt_${String(n).padStart(6, '0')}`,
    sequence: String(n),
    action: 'update' satisfies EventAction,
    entityType: 'task',
    entityId: `ent-${n % 5}`,
    time: receivedAt,
    receivedAt,
    payload: { name: `task ${n}` },
    warnings: [],
    ...patch,
  };
}

/** A fake stream source: pages from a list, live events pushed by the test. */
export class FakeStreamSource implements StreamSource {
  /** All events the "server" has, in any order. */
  events: StreamRow_EventFragment[] = [];
  /** Where countEvents stops counting, as the server's bounded count does. */
  countBound = 1_000;
  fetches: Array<{ filter: EventFilter | null; first: number; after: string | null }> = [];
  subscriptions: Array<{
    filter: EventFilter | null;
    after: string | null;
    onEvent: (event: StreamRow_EventFragment) => void;
    onResync: () => Promise<string | null>;
    active: boolean;
  }> = [];
  purgeListeners: Array<(beforeIso: string) => void> = [];
  deleteListeners: Array<(eventIds: readonly string[] | null) => void> = [];

  fetchPage(args: { filter: EventFilter | null; first: number; after: string | null }): Promise<StreamPage> {
    this.fetches.push(args);
    const matching = this.events
      .filter((event) => matches(event, args.filter))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const start = args.after === null ? 0 : matching.findIndex((event) => event.id === args.after) + 1;
    const page = matching.slice(start, start + args.first);
    return Promise.resolve({
      rows: page.map((event) => ({ event, cursor: event.id })),
      hasNextPage: start + args.first < matching.length,
    });
  }

  subscribeAdded(
    filter: EventFilter | null,
    handlers: {
      after: string | null;
      onEvent: (event: StreamRow_EventFragment) => void;
      onResync: () => Promise<string | null>;
    },
  ): () => void {
    const subscription = { filter, ...handlers, active: true };
    this.subscriptions.push(subscription);
    return () => {
      subscription.active = false;
    };
  }

  subscribePurged(onPurge: (beforeIso: string) => void): () => void {
    this.purgeListeners.push(onPurge);
    return () => undefined;
  }

  subscribeDeleted(onDeleted: (eventIds: readonly string[] | null) => void): () => void {
    this.deleteListeners.push(onDeleted);
    return () => undefined;
  }

  /** Counts up to {@link countBound} (the server's bounded count): "at least" past it. */
  countEvents(filter: EventFilter | null): Promise<EventCount> {
    const value = this.events.filter((event) => matches(event, filter)).length;
    return Promise.resolve(
      value > this.countBound ? { value: this.countBound, exact: false } : { value, exact: true },
    );
  }

  deleteEvents(filter: EventFilter | null): Promise<number> {
    const ids = this.events.filter((event) => matches(event, filter)).map((event) => event.id);
    this.remove(ids);
    return Promise.resolve(ids.length);
  }

  /** Deletes events as the server would, and tells the listeners (ids, or null as for a large delete). */
  remove(ids: readonly string[], listAs: 'ids' | 'null' = 'ids'): void {
    const gone = new Set(ids);
    this.events = this.events.filter((event) => !gone.has(event.id));
    for (const listener of this.deleteListeners) listener(listAs === 'ids' ? ids : null);
  }

  /** Stores an event and delivers it to the matching live subscriptions, as the server would. */
  post(event: StreamRow_EventFragment): void {
    this.events.push(event);
    for (const subscription of this.subscriptions) {
      if (subscription.active && matches(event, subscription.filter)) subscription.onEvent(event);
    }
  }

  /** The filters of the subscriptions still open. */
  activeFilters(): Array<EventFilter | null> {
    return this.subscriptions
      .filter((subscription) => subscription.active)
      .map((subscription) => subscription.filter);
  }
}

function matches(event: StreamRow_EventFragment, filter: EventFilter | null): boolean {
  if (filter === null) return true;
  if (filter.action != null && event.action !== filter.action) return false;
  if (filter.entityType != null && event.entityType !== filter.entityType) return false;
  if (filter.entityId != null && event.entityId !== filter.entityId) return false;
  if (filter.since != null && Date.parse(event.receivedAt) < Date.parse(filter.since)) return false;
  if (filter.until != null && Date.parse(event.receivedAt) >= Date.parse(filter.until)) return false;
  if (
    filter.search != null &&
    !JSON.stringify(event.payload).toLowerCase().includes(filter.search.toLowerCase())
  )
    return false;
  return true;
}
