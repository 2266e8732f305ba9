/** What the header badge says about the live connection. */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** A snapshot of the live connection, for `useSyncExternalStore`. */
export interface ConnectionState {
  status: ConnectionStatus;
  /** Incremented on every successful (re)connect; views catch up when it changes after the first. */
  generation: number;
}

/** Tracks the graphql-ws socket and tells subscribers when it changes (no React inside, so it is testable). */
export interface ConnectionStore {
  getSnapshot(): ConnectionState;
  subscribe(listener: () => void): () => void;
  /** The socket started (re)connecting. */
  connecting(): void;
  /** The server acknowledged the connection. */
  connected(): void;
  /** The socket closed; a retry may follow. */
  closed(): void;
  /** Stops the offline timer. */
  dispose(): void;
}

/** How long a lost connection may keep failing before the badge says "offline" rather than "reconnecting". */
export const OFFLINE_AFTER_MS = 30_000;

/** Creates a connection store; `now`-free, it only schedules one timer for the offline threshold. */
export function createConnectionStore(offlineAfterMs = OFFLINE_AFTER_MS): ConnectionStore {
  let state: ConnectionState = { status: 'connecting', generation: 0 };
  let everConnected = false;
  let offlineTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();

  const set = (next: ConnectionState): void => {
    if (next.status === state.status && next.generation === state.generation) return;
    state = next;
    for (const listener of listeners) listener();
  };
  const clearTimer = (): void => {
    if (offlineTimer !== undefined) clearTimeout(offlineTimer);
    offlineTimer = undefined;
  };
  const lost = (): void => {
    // Before the first connection there is nothing stale to warn about yet: keep "connecting".
    if (!everConnected) return;
    if (state.status === 'live') set({ ...state, status: 'reconnecting' });
    if (offlineTimer === undefined && state.status !== 'offline') {
      offlineTimer = setTimeout(() => {
        offlineTimer = undefined;
        if (state.status === 'reconnecting') set({ ...state, status: 'offline' });
      }, offlineAfterMs);
    }
  };

  return {
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connecting: lost,
    closed: lost,
    connected() {
      everConnected = true;
      clearTimer();
      set({ status: 'live', generation: state.generation + 1 });
    },
    dispose: clearTimer,
  };
}
