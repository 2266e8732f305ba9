import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { createPeriodicJob, type PeriodicJob } from '../shared/periodic-job.js';
import { createMockGenerator } from '../domain/mock.js';
import type { Ingest } from './ingest.js';
import type { StoredEvent } from '../store/types.js';

/** Mock events fed through the one intake path, so subscribers see them like real ones. */
export interface MockFeed {
  /** Generates and stores `count` events; resolves with those stored. */
  generate(count: number): Promise<StoredEvent[]>;
  /** Sends `perMinute` events a minute, evenly spaced, until stopped (0: nothing). */
  start(perMinute: number): void;
  /** Stops sending; resolves once a send under way has been answered. */
  stop(): Promise<void>;
}

/** Creates a mock feed over the intake. */
export function createMockFeed(ingest: Ingest, clock: Clock, seed = clock.now()): MockFeed {
  const generator = createMockGenerator({ seed, now: () => clock.now() });
  let feed: PeriodicJob<void> | null = null;
  const sending = new Set<Promise<unknown>>();

  async function generate(count: number): Promise<StoredEvent[]> {
    const outcomes = await Promise.all(
      Array.from({ length: count }, () =>
        ingest.accept({
          raw: Buffer.from(JSON.stringify(generator.next())),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'hookscope-mock',
            // Random, not seeded: a restarted feed must not repeat earlier delivery ids.
            'webhook-id': `msg_mock_${randomUUID()}`,
          },
        }),
      ),
    );
    return outcomes.flatMap((outcome) => (outcome.kind === 'stored' ? [outcome.event] : []));
  }

  return {
    generate,
    start(perMinute) {
      if (feed || perMinute <= 0) return;
      feed = createPeriodicJob({
        intervalMs: 60_000 / perMinute,
        // Each tick sends without waiting for the last send's commit: at high rates several share one.
        // A failed send (a full disk) is answered to nobody: the next tick simply tries again.
        run: async () => {
          const send: Promise<unknown> = generate(1)
            .catch(() => undefined)
            .finally(() => sending.delete(send));
          sending.add(send);
        },
        runAtStart: false,
      });
      feed.start();
    },
    async stop() {
      const stopping = feed?.stop();
      feed = null;
      await stopping;
      await Promise.all(sending);
    },
  };
}
