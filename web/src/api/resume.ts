import type { Client } from 'graphql-ws';

// Resumable live events: `eventAdded(after:)` with `after` kept at the last sequence received. graphql-ws
// re-sends a subscription's payload object as it is on every retry (a new socket after a drop), so the
// cursor is kept current inside that object: the server then replays what the socket missed.

/** The error code with which the server ends a subscription it cannot resume exactly (docs/api.md). */
export const RESYNC_REQUIRED = 'RESYNC_REQUIRED';

/** What {@link subscribeResumable} needs of graphql-ws (its `Client`; tests pass fakes). */
export type SubscribeClient = Pick<Client, 'subscribe'>;

/** Options of {@link subscribeResumable}. */
export interface ResumableOptions<T> {
  /** The subscription text; it must declare `$after: String` and pass it to `eventAdded(after:)`. */
  query: string;
  /** Its other variables (the filter). */
  variables: Record<string, unknown>;
  /** Where to start: a sequence already received, or null for live from now. */
  after: string | null;
  /** The sequence of one result's event. */
  sequenceOf: (data: T) => string;
  onData: (data: T) => void;
  /**
   * The server cannot resume from the cursor (events were purged, or too many were missed): reload by
   * query, and answer the newest sequence the reload holds (null: none) to subscribe again from it.
   */
  onResync: () => Promise<string | null>;
  /** Any other error that ended the subscription (it is not restarted). */
  onError?: (error: unknown) => void;
}

interface ResultError {
  message?: string;
  extensions?: { code?: unknown };
}

/** Whether a result's errors include RESYNC_REQUIRED. */
export function isResyncRequired(errors: readonly ResultError[] | undefined): boolean {
  return errors?.some((error) => error.extensions?.code === RESYNC_REQUIRED) ?? false;
}

/** The higher of two sequences, compared as integers (decimal strings without leading zeros). */
export function laterSequence(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length !== b.length) return a.length > b.length ? a : b;
  return a > b ? a : b;
}

/**
 * Subscribes through `client`, keeping `after` at the last sequence received (so every retry resumes
 * there), and on RESYNC_REQUIRED reloads through `onResync` and subscribes again from what it answers.
 * Answers the unsubscribe.
 */
export function subscribeResumable<T>(client: SubscribeClient, options: ResumableOptions<T>): () => void {
  let stopped = false;
  let stop: (() => void) | null = null;

  const start = (after: string | null): void => {
    if (stopped) return;
    // The object graphql-ws keeps and re-sends on each retry: `after` is updated in it, never replaced.
    const variables: Record<string, unknown> = { ...options.variables, after };
    const payload = { query: options.query, variables };
    let resyncing = false;
    stop = client.subscribe<T>(payload, {
      next: (result) => {
        if (stopped || resyncing) return;
        if (isResyncRequired(result.errors as ResultError[] | undefined)) {
          resyncing = true;
          stop?.();
          options.onResync().then(
            (newest) => start(newest),
            (error: unknown) => options.onError?.(error),
          );
          return;
        }
        if (result.errors?.length) {
          options.onError?.(result.errors);
          return;
        }
        if (result.data == null) return;
        const data = result.data as T;
        variables.after = laterSequence(variables.after as string | null, options.sequenceOf(data));
        options.onData(data);
      },
      error: (error) => {
        if (!stopped && !resyncing) options.onError?.(error);
      },
      complete: () => undefined,
    });
  };

  start(options.after);
  return () => {
    stopped = true;
    stop?.();
  };
}
