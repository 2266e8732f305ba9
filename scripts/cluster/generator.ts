// The webhook sender of the cluster test: a fixed rate of deliveries through the balancer, each with its own
// webhook-id, retried with the SAME id after any non-2xx or connection error, as a real sender does. What it
// records is what the checks hold the database to: every id that got a 2xx must be stored exactly once.

/** What the generator saw, read by the checks and the report. */
export interface GeneratorReport {
  /** Deliveries started (distinct webhook-ids). */
  started: number;
  /** webhook-id → the event id of its 2xx answer (201 or 200 for a duplicate). */
  acknowledged: Map<string, string>;
  /** Ids that never got a 2xx within the attempts: never promised, so not checked. */
  gaveUp: number;
  /** Attempts after the first, over every delivery. */
  retries: number;
  /** Answers by status (0 = no answer: refused, reset or timed out). */
  statuses: Map<number, number>;
  /** 2xx answers that said `duplicate: true`: a retry whose first attempt had committed after all. */
  duplicates: number;
  /** Ticks at which the in-flight cap held a delivery back (the run could not keep the rate). */
  heldBack: number;
  /** Acknowledgement latency of successful deliveries, first attempt to 2xx, in ms. */
  ackMs: number[];
}

/** How the generator runs. */
export interface GeneratorOptions {
  /** The balancer's base URL. */
  url: string;
  ratePerSecond: number;
  /** A prefix unique to the run, so that ids never collide with another run's. */
  runId: string;
  /** Attempts per delivery, the first included. */
  maxAttempts?: number;
  /** Deliveries in flight at most; past it the generator waits (and counts `heldBack`). */
  maxInFlight?: number;
  /** Called after every attempt with whether it got a 2xx and when it ended (performance.now()). */
  onAttempt?: (ok: boolean, atMs: number) => void;
}

/** The running generator: `stop()` stops starting deliveries and waits for those in flight. */
export interface Generator {
  report: GeneratorReport;
  stop(): Promise<GeneratorReport>;
  /** Deliveries in flight now. */
  inFlight(): number;
}

function body(id: string, n: number): string {
  return JSON.stringify({
    action: n % 5 === 0 ? 'update' : 'create',
    entity_type: 'task',
    time: new Date().toISOString(),
    ...(n % 5 === 0 ? { modified_fields: ['n'] } : {}),
    payload: { id: `entity-${n % 997}`, delivery: id, n },
  });
}

/** Starts posting at a fixed rate; each delivery retries with a bounded backoff. */
export function startGenerator(options: GeneratorOptions): Generator {
  const maxAttempts = options.maxAttempts ?? 40;
  const maxInFlight = options.maxInFlight ?? 2_000;
  const report: GeneratorReport = {
    started: 0,
    acknowledged: new Map(),
    gaveUp: 0,
    retries: 0,
    statuses: new Map(),
    duplicates: 0,
    heldBack: 0,
    ackMs: [],
  };
  const pending = new Set<Promise<void>>();
  let stopped = false;
  const count = (status: number): void =>
    void report.statuses.set(status, (report.statuses.get(status) ?? 0) + 1);

  const deliver = async (n: number): Promise<void> => {
    const id = `${options.runId}-${n}`;
    const text = body(id, n);
    const first = performance.now();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) report.retries += 1;
      try {
        const response = await fetch(`${options.url}/webhooks/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': id },
          body: text,
          signal: AbortSignal.timeout(10_000),
        });
        const answer = (await response.json().catch(() => ({}))) as { id?: unknown; duplicate?: unknown };
        count(response.status);
        const ok = response.status >= 200 && response.status < 300 && typeof answer.id === 'string';
        options.onAttempt?.(ok, performance.now());
        if (ok && typeof answer.id === 'string') {
          report.acknowledged.set(id, answer.id);
          if (answer.duplicate === true) report.duplicates += 1;
          report.ackMs.push(performance.now() - first);
          return;
        }
      } catch {
        count(0);
        options.onAttempt?.(false, performance.now());
      }
      // Backoff 50 ms doubling to 1 s: a replica restart or a PostgreSQL restart takes a few seconds.
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** (attempt - 1))));
    }
    report.gaveUp += 1;
  };

  const started = performance.now();
  let next = 0;
  // Ticks every 10 ms and starts however many deliveries the rate owes by now: the rate holds even when a
  // tick comes late, and in-flight deliveries never slow the schedule down (open loop, as real senders are).
  const timer = setInterval(() => {
    if (stopped) return;
    const owed = Math.floor(((performance.now() - started) / 1_000) * options.ratePerSecond);
    while (next < owed) {
      if (pending.size >= maxInFlight) {
        report.heldBack += 1;
        break;
      }
      const n = next++;
      report.started += 1;
      const promise = deliver(n).finally(() => pending.delete(promise));
      pending.add(promise);
    }
  }, 10);

  return {
    report,
    inFlight: () => pending.size,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...pending]);
      return report;
    },
  };
}
