/**
 * Readiness, as a load balancer asks it (`GET /readyz`): whether this replica should be sent traffic now.
 * Liveness (`/healthz`) is a different question: a draining replica, or one whose database is away, is
 * alive (restarting it would not help) but must not be sent new work.
 */

/** The answer of a readiness check. */
export type ReadyState =
  | { ready: true }
  | { ready: false; status: 'draining'; reason: string }
  | { ready: false; status: 'unavailable'; reason: string };

/** What the replica's readiness is made of; the composition root owns it, the route only reads it. */
export interface Readiness {
  /** Turns unready for good (the drain began); every later check answers `draining`. */
  markDraining(): void;
  /** Whether {@link markDraining} was called. */
  readonly draining: boolean;
  /** Draining, else the result of a store ping that is at most `cacheMs` old. Never rejects. */
  check(): Promise<ReadyState>;
}

/** Options of {@link createReadiness}. */
export interface ReadinessOptions {
  /**
   * A cheap round trip to the database that rejects when it cannot be reached; absent for a store that
   * has no connection to lose (SQLite in this process: its failures show on the writes themselves).
   */
  ping?: () => Promise<void>;
  /** A ping slower than this counts as unreachable: a probe must answer before the balancer's own timeout. */
  pingTimeoutMs?: number;
  /** How long a ping's result is reused: probes from several balancers must not each cost a round trip. */
  cacheMs?: number;
  /** Epoch ms (injected for tests). */
  now?: () => number;
}

/** Default ping timeout: well inside the usual 2-5 s probe timeouts. */
export const READY_PING_TIMEOUT_MS = 1_000;
/** Default reuse of a ping's result. */
export const READY_CACHE_MS = 1_000;

/** Creates the readiness of one replica. */
export function createReadiness(options: ReadinessOptions = {}): Readiness {
  const { ping } = options;
  const timeoutMs = options.pingTimeoutMs ?? READY_PING_TIMEOUT_MS;
  const cacheMs = options.cacheMs ?? READY_CACHE_MS;
  const now = options.now ?? Date.now;
  let draining = false;
  let cached: { atMs: number; state: ReadyState } | null = null;
  // Concurrent probes share one ping in flight.
  let pending: Promise<ReadyState> | null = null;

  async function pingOnce(run: () => Promise<void>): Promise<ReadyState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([run(), timeout]);
      return { ready: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ready: false, status: 'unavailable', reason: `the database cannot be reached: ${message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    markDraining() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    async check() {
      if (draining) return { ready: false, status: 'draining', reason: 'the server is shutting down' };
      if (!ping) return { ready: true };
      if (cached && now() - cached.atMs < cacheMs) return cached.state;
      pending ??= pingOnce(ping).then((state) => {
        cached = { atMs: now(), state };
        pending = null;
        return state;
      });
      const state = await pending;
      // A drain that began while the ping ran wins: the balancer must stop sending at once.
      return draining ? { ready: false, status: 'draining', reason: 'the server is shutting down' } : state;
    },
  };
}
