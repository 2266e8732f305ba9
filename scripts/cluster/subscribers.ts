// The live side of the cluster test: graphql-ws clients subscribed to `eventAdded`, some through the
// balancer (they land on whichever replica round robin picks, and move when theirs goes away) and some
// straight at one replica (they wait for it to come back). Each records every `sequence` it receives and
// keeps `after` current in the subscribe payload, which graphql-ws re-sends on every retry: that is how a
// dashboard resumes, and what the checks hold the server to.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { ClientRequestArgs, IncomingMessage } from 'node:http';
import { REPLICA_HEADER } from './balancer.js';

const subscription = (fields: string): string =>
  `subscription ClusterTail($after: String) { eventAdded(after: $after) { ${fields} } }`;

/** What one subscriber saw. */
export interface SubscriberRecord {
  name: string;
  /** `balancer`, or the replica it is pinned to. */
  via: string;
  /** The cursor of its first subscribe (null: live from the moment it subscribed). */
  firstAfter: string | null;
  /** Every sequence received, in arrival order, duplicates included (the checks look for them). */
  received: number[];
  /** The replica of each connection it opened, in order (from the balancer's header, or `via`). */
  replicas: string[];
  /** Errors that ended the subscription, with their codes (RESYNC_REQUIRED among them). */
  errors: string[];
  /** Whether the server completed the subscription (it should never, while the run lasts). */
  completed: boolean;
}

/** A running subscriber. */
export interface Subscriber {
  record: SubscriberRecord;
  /** The highest sequence received so far (0 before any). */
  last(): number;
  /** Resolves once the first connection is acknowledged and the subscription sent. */
  connected: Promise<void>;
  dispose(): Promise<void>;
}

/** How one subscriber connects. */
export interface SubscriberOptions {
  name: string;
  /** ws://…/graphql of the balancer or of one replica. */
  wsUrl: string;
  via: string;
  after?: string | null;
  /**
   * Called with each event as it arrives (performance-free wall clock `Date.now()`), with `receivedAt`
   * (the commit's time) selected too: the bench measures commit-to-delivery with it.
   */
  onEvent?: (event: { sequence: string; receivedAt: string }, arrivedAtMs: number) => void;
}

/** Subscribes to eventAdded and keeps the subscription alive across closes, resuming from its cursor. */
export function startSubscriber(options: SubscriberOptions): Subscriber {
  const record: SubscriberRecord = {
    name: options.name,
    via: options.via,
    firstAfter: options.after ?? null,
    received: [],
    replicas: [],
    errors: [],
    completed: false,
  };
  let last = 0;
  // Learns which replica took each connection from the 101 answer's header, which the balancer sets.
  class TrackingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[], opts?: ClientRequestArgs) {
      super(address, protocols, opts);
      this.once('upgrade', (response: IncomingMessage) => {
        const replica = response.headers[REPLICA_HEADER];
        record.replicas.push(typeof replica === 'string' ? replica : options.via);
      });
    }
  }
  let resolveConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const client: Client = createClient({
    url: options.wsUrl,
    webSocketImpl: TrackingWebSocket,
    lazy: false,
    // Bounded: 200 consecutive failed attempts at most 1 s apart; a successful connection resets the count.
    retryAttempts: 200,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** retries))),
    keepAlive: 5_000,
    on: { connected: () => resolveConnected() },
  });
  const payload: { query: string; variables: { after: string | null } } = {
    query: subscription(options.onEvent ? 'sequence receivedAt' : 'sequence'),
    variables: { after: options.after ?? null },
  };
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  client.subscribe<{ eventAdded: { sequence: string; receivedAt: string } }>(payload, {
    next: (result) => {
      const arrivedAtMs = Date.now();
      if (result.errors?.length) {
        record.errors.push(
          ...result.errors.map((e) => `${String(e.extensions?.code ?? 'ERROR')}: ${e.message}`),
        );
        return;
      }
      const sequence = result.data?.eventAdded.sequence;
      if (typeof sequence !== 'string') return;
      const n = Number(sequence);
      record.received.push(n);
      if (options.onEvent && result.data) options.onEvent(result.data.eventAdded, arrivedAtMs);
      if (n > last) {
        last = n;
        // graphql-ws sends this same object again on every retry: the resubscription resumes after it.
        payload.variables.after = sequence;
      }
    },
    error: (error: unknown) => {
      record.errors.push(describeError(error));
      resolveDone();
    },
    complete: () => {
      record.completed = true;
      resolveDone();
    },
  });
  return {
    record,
    last: () => last,
    connected,
    dispose: async () => {
      await client.dispose();
      resolveDone();
      await done;
    },
  };
}

function describeError(error: unknown): string {
  if (Array.isArray(error)) {
    return error
      .map((e: { message?: string; extensions?: { code?: unknown } }) => {
        return `${String(e.extensions?.code ?? 'ERROR')}: ${e.message ?? ''}`;
      })
      .join('; ');
  }
  if (error instanceof Error) return error.message;
  // A CloseEvent when the retries ran out.
  const close = error as { code?: number; reason?: string };
  return `closed ${close.code ?? '?'} ${close.reason ?? ''}`.trim();
}
