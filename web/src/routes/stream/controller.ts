import { laterSequence } from '../../api/resume.js';
import type { EventCount } from '../../components/useConfirmedDelete.js';
import type { EventFilter, StreamRow_EventFragment } from '../../gql/graphql.js';
import {
  compareNewestFirst,
  dropReceivedBefore,
  mergeRows,
  olderPageArgs,
  type StreamRow,
} from './buffer.js';

/** One page of events from the server, newest first. */
export interface StreamPage {
  rows: StreamRow[];
  hasNextPage: boolean;
}

/** What the stream needs from the server; the Apollo implementation lives in source.ts, tests pass fakes. */
export interface StreamSource {
  fetchPage(args: { filter: EventFilter | null; first: number; after: string | null }): Promise<StreamPage>;
  /**
   * Live events after `after` (null: from now), resumed after the last one received on every reconnect.
   * When the server cannot resume, `onResync` reloads and answers the sequence to subscribe again after.
   */
  subscribeAdded(
    filter: EventFilter | null,
    handlers: {
      after: string | null;
      onEvent: (event: StreamRow_EventFragment) => void;
      onResync: () => Promise<string | null>;
    },
  ): () => void;
  subscribePurged(onPurge: (beforeIso: string) => void): () => void;
  /** Deletes (anyone's): the ids removed, or null when too many to list. */
  subscribeDeleted(onDeleted: (eventIds: readonly string[] | null) => void): () => void;
  /** How many retained events match (null: all of them), as the server counts them (up to a bound). */
  countEvents(filter: EventFilter | null): Promise<EventCount>;
  /** Deletes what matches (null: every retained event); answers how many went. */
  deleteEvents(filter: EventFilter | null): Promise<number>;
}

/** What the stream view renders. */
export interface StreamState {
  rows: StreamRow[];
  paused: boolean;
  /** Events that arrived while paused and are not shown yet. */
  pendingCount: number;
  loading: boolean;
  loadingOlder: boolean;
  /** More (older) events can be loaded by scrolling down. */
  hasOlder: boolean;
  error: string | null;
}

/** Schedules a callback for the next frame and returns a cancel function (requestAnimationFrame in the browser). */
export type FrameScheduler = (callback: () => void) => () => void;

/** Options of {@link createStreamController}. */
export interface StreamControllerOptions {
  source: StreamSource;
  filter: EventFilter | null;
  /** The live buffer's bound: older rows are dropped and reloaded by scrolling. */
  maxRows?: number;
  pageSize?: number;
  schedule?: FrameScheduler;
  /** How long after a (re)subscription to query once more for events the subscription may have missed. */
  settleMs?: number;
}

/** Runs one filtered stream: first page, live events batched per frame, pause, older pages, catch-up, purges. */
export interface StreamController {
  getState(): StreamState;
  subscribe(listener: () => void): () => void;
  start(): void;
  pause(): void;
  resume(): void;
  loadOlder(): void;
  /** After a reconnect: fetch what arrived while the socket was down. */
  catchUp(): void;
  /** Whether the list is scrolled to the top: only then is the buffer cut back to `maxRows`. */
  setAtTop(atTop: boolean): void;
  dispose(): void;
}

/** The state of a stream before its first page has loaded. */
export const INITIAL_STREAM_STATE: StreamState = {
  rows: [],
  paused: false,
  pendingCount: 0,
  loading: true,
  loadingOlder: false,
  hasOlder: false,
  error: null,
};

/** The live buffer's default bound. */
export const MAX_LIVE_ROWS = 2_000;
/** Rows per page when scrolling back. */
export const PAGE_SIZE = 100;
/** A reader scrolled back keeps what was loaded, up to this many times the live bound. */
const SCROLLED_BACK_FACTOR = 10;
/**
 * graphql-ws does not acknowledge a subscription, so an event stored after the page query but before the
 * server has registered the subscription would be missed; one more query this long after closes that gap.
 */
export const SETTLE_MS = 1_000;
/** How many missed events a catch-up fetches before it gives up and reloads the first page. */
const CATCH_UP_LIMIT = 500;

/** Longest wait for a frame: hidden tabs get no animation frames, and the inbox must not grow meanwhile. */
const FRAME_FALLBACK_MS = 500;

/** The browser's frame scheduler: the next animation frame, or a timer when the tab is hidden and gets none. */
export const animationFrameScheduler: FrameScheduler = (callback) => {
  let done = false;
  const run = (): void => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    callback();
  };
  const frame = requestAnimationFrame(run);
  const timer = setTimeout(run, FRAME_FALLBACK_MS);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Creates a stream controller; nothing happens until `start()`. */
export function createStreamController(options: StreamControllerOptions): StreamController {
  const { source, filter } = options;
  const maxRows = options.maxRows ?? MAX_LIVE_ROWS;
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const schedule = options.schedule ?? animationFrameScheduler;
  const settleMs = options.settleMs ?? SETTLE_MS;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (callback: () => void, delayMs: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      callback();
    }, delayMs);
    timers.add(timer);
  };

  // Never mutated: every change replaces the object (see `set`), so starting from the shared one is safe.
  let state: StreamState = INITIAL_STREAM_STATE;
  const listeners = new Set<() => void>();
  /** Live or caught-up rows waiting for the next frame. */
  let inbox: StreamRow[] = [];
  /** Rows held back while paused (bounded; past the bound, resuming reloads instead). */
  let held: StreamRow[] = [];
  let heldIds = new Set<string>();
  let heldOverflow = false;
  let cancelFrame: (() => void) | null = null;
  let disposed = false;
  /** Bumped by reloads so that answers to superseded requests are ignored. */
  let epoch = 0;
  const unsubscribers: Array<() => void> = [];
  let atTop = true;
  // At the top the buffer stays small; a reader scrolled back keeps the rows under their eyes.
  const limit = (): number => (atTop ? maxRows : maxRows * SCROLLED_BACK_FACTOR);

  const set = (patch: Partial<StreamState>): void => {
    if (disposed) return;
    state = { ...state, ...patch };
    for (const listener of listeners) listener();
  };

  const flush = (): void => {
    cancelFrame = null;
    if (inbox.length === 0) return;
    const batch = inbox;
    inbox = [];
    if (state.paused) {
      const shown = new Set(state.rows.map((row) => row.event.id));
      for (const row of batch) {
        if (shown.has(row.event.id) || heldIds.has(row.event.id)) continue;
        if (held.length >= maxRows) {
          heldOverflow = true;
        } else {
          held.push(row);
        }
        heldIds.add(row.event.id);
      }
      set({ pendingCount: heldIds.size });
      return;
    }
    const { rows, trimmed } = mergeRows(state.rows, batch, limit());
    set({ rows, hasOlder: state.hasOlder || trimmed > 0 });
  };

  const enqueue = (rows: StreamRow[]): void => {
    inbox.push(...rows);
    // One render per frame however fast events arrive.
    cancelFrame ??= schedule(flush);
  };

  /** Loads the first page; resolves with the newest sequence it holds (null: none, or it failed). */
  const loadFirstPage = (): Promise<string | null> => {
    const myEpoch = ++epoch;
    set({ loading: true, error: null });
    return source.fetchPage({ filter, first: pageSize, after: null }).then(
      (page) => {
        const newest = page.rows.reduce<string | null>(
          (max, row) => laterSequence(max, row.event.sequence),
          null,
        );
        if (myEpoch !== epoch) return newest;
        // Replace rather than merge (a reload means what was shown may have gaps), but keep what arrived
        // live while the query was on its way: those rows are newer than the page's newest.
        const top = page.rows[0];
        const arrived =
          top === undefined ? state.rows : state.rows.filter((row) => compareNewestFirst(row, top) < 0);
        const { rows, trimmed } = mergeRows([], [...page.rows, ...arrived, ...inbox], maxRows);
        inbox = [];
        set({ rows, loading: false, hasOlder: page.hasNextPage || trimmed > 0 });
        return newest;
      },
      (error: unknown) => {
        if (myEpoch === epoch) set({ loading: false, error: messageOf(error) });
        return null;
      },
    );
  };

  /**
   * The server could not resume the live events (purged, or too many missed while away): what is shown
   * may have a gap, so the rows are replaced by a fresh first page, and live events resume after it.
   */
  const resync = (): Promise<string | null> => {
    inbox = [];
    held = [];
    heldIds = new Set();
    heldOverflow = false;
    set({ rows: [], pendingCount: 0 });
    return loadFirstPage();
  };

  /** Queries what arrived after the newest row shown and merges it (or reloads when that is too much). */
  const fetchSince = (): void => {
    if (disposed) return;
    if (state.loading) {
      // The first page is still on its way: ask again once it is there.
      later(fetchSince, settleMs);
      return;
    }
    const newest = state.rows[0];
    if (newest === undefined) {
      void loadFirstPage();
      return;
    }
    const myEpoch = epoch;
    const since = { ...filter, since: newest.event.receivedAt };
    source.fetchPage({ filter: since, first: CATCH_UP_LIMIT, after: null }).then(
      (page) => {
        if (myEpoch !== epoch) return;
        if (page.hasNextPage) void loadFirstPage();
        else enqueue(page.rows);
      },
      (error: unknown) => {
        if (myEpoch !== epoch) return;
        set({ error: messageOf(error) });
      },
    );
  };

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      // Subscribe first so nothing posted between the page and the subscription is missed (duplicates merge).
      // After a reconnect the subscription resumes after the last event it received (no gap, no repeat).
      unsubscribers.push(
        source.subscribeAdded(filter, {
          after: null,
          onEvent: (event) => enqueue([{ event, cursor: null }]),
          onResync: resync,
        }),
      );
      unsubscribers.push(
        source.subscribePurged((beforeIso) => {
          held = dropReceivedBefore(held, beforeIso);
          heldIds = new Set(held.map((row) => row.event.id));
          inbox = dropReceivedBefore(inbox, beforeIso);
          set({
            rows: dropReceivedBefore(state.rows, beforeIso),
            pendingCount: state.paused ? heldIds.size : 0,
          });
        }),
      );
      unsubscribers.push(
        source.subscribeDeleted((eventIds) => {
          if (eventIds === null) {
            // Too many to list: what is shown may be gone anywhere in it.
            held = [];
            heldIds = new Set();
            heldOverflow = false;
            inbox = [];
            set({ rows: [], pendingCount: 0 });
            void loadFirstPage();
            return;
          }
          const gone = new Set(eventIds);
          const kept = (rows: StreamRow[]): StreamRow[] => rows.filter((row) => !gone.has(row.event.id));
          held = kept(held);
          heldIds = new Set(held.map((row) => row.event.id));
          inbox = kept(inbox);
          set({ rows: kept(state.rows), pendingCount: state.paused ? heldIds.size : 0 });
        }),
      );
      void loadFirstPage();
      later(fetchSince, settleMs);
    },
    pause() {
      if (state.paused) return;
      set({ paused: true, pendingCount: 0 });
    },
    resume() {
      if (!state.paused) return;
      const rows = held;
      const overflow = heldOverflow;
      held = [];
      heldIds = new Set();
      heldOverflow = false;
      set({ paused: false, pendingCount: 0 });
      if (overflow) void loadFirstPage();
      else enqueue(rows);
    },
    loadOlder() {
      if (state.loading || state.loadingOlder || !state.hasOlder) return;
      const { after, untilIso } = olderPageArgs(state.rows);
      const pageFilter = untilIso === null ? filter : { ...filter, until: untilIso };
      const myEpoch = epoch;
      set({ loadingOlder: true });
      source.fetchPage({ filter: pageFilter, first: pageSize, after }).then(
        (page) => {
          if (myEpoch !== epoch) return;
          const { rows, trimmed } = mergeRows(state.rows, page.rows, maxRows * SCROLLED_BACK_FACTOR);
          set({ rows, loadingOlder: false, hasOlder: page.hasNextPage || trimmed > 0 });
        },
        (error: unknown) => {
          if (myEpoch !== epoch) return;
          set({ loadingOlder: false, error: messageOf(error) });
        },
      );
    },
    catchUp() {
      fetchSince();
      later(fetchSince, settleMs);
    },
    setAtTop(next) {
      if (next === atTop) return;
      atTop = next;
      if (atTop && state.rows.length > maxRows) {
        const { rows } = mergeRows(state.rows, [], maxRows);
        set({ rows, hasOlder: true });
      }
    },
    dispose() {
      disposed = true;
      epoch++;
      for (const timer of timers) clearTimeout(timer);
      cancelFrame?.();
      for (const unsubscribe of unsubscribers) unsubscribe();
      listeners.clear();
    },
  };
}
