import { createClient, type Client } from 'graphql-ws';
import type { ConnectionStore } from './connection.js';

/** Waits between reconnect attempts: 0.5 s, 1 s, 2 s, then at most 5 s, with jitter so many tabs do not stampede. */
export function reconnectDelayMs(retries: number): number {
  const base = Math.min(5_000, 500 * 2 ** retries);
  return base * (0.75 + Math.random() * 0.5);
}

/** The page's GraphQL addresses on its own origin: HTTP for queries, ws(s) for subscriptions. */
export function graphqlUrls(origin: string): { httpUrl: string; wsUrl: string } {
  const httpUrl = new URL('/graphql', origin).toString();
  return { httpUrl, wsUrl: httpUrl.replace(/^http/, 'ws') };
}

/**
 * Creates the graphql-ws client a page subscribes through, reporting its state to `connection`. The
 * browser sends the session cookie with the upgrade, so a signed-in page needs no token in the payload.
 */
export function createSocket(wsUrl: string, connection: ConnectionStore): Client {
  return createClient({
    url: wsUrl,
    // Eager, so the badge reflects the server even before the first subscription starts.
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // A restarting server refuses connections (not a close event), which graphql-ws treats as fatal by default.
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
    onNonLazyError: () => connection.closed(),
    on: {
      connecting: () => connection.connecting(),
      connected: () => connection.connected(),
      closed: () => connection.closed(),
    },
  });
}
