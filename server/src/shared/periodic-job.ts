/** Something done now and then on a timer, never twice at once. */
export interface PeriodicJob<T> {
  /** Runs now; if a run is under way, runs once more after it (callers meanwhile share that one). */
  runNow(): Promise<T>;
  /** Starts the timer (and a first run, unless `runAtStart` is false). Does nothing if started. */
  start(): void;
  /** Stops the timer, signals a running run to stop early, and waits for it. */
  stop(): Promise<void>;
}

/** What a periodic job does and how often. */
export interface PeriodicJobOptions<T> {
  intervalMs: number;
  /** The work. `signal` aborts on `stop()`: a long run checks it between its steps. */
  run: (signal: AbortSignal) => Promise<T>;
  /** A timed run failed (a `runNow` caller gets its own rejection instead). */
  onError?: (error: unknown) => void;
  /** Whether `start()` runs once at once (default true). */
  runAtStart?: boolean;
  /** Asked before each timed run: false puts that one off to the next tick. */
  due?: () => boolean;
}

/** Creates a job, idle until started. A tick that finds a run under way is skipped: runs never pile up. */
export function createPeriodicJob<T>(options: PeriodicJobOptions<T>): PeriodicJob<T> {
  let timer: NodeJS.Timeout | null = null;
  let controller = new AbortController();
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;

  const launch = (): Promise<T> => {
    const run = options.run(controller.signal).finally(() => {
      if (running === run) running = null;
    });
    running = run;
    return run;
  };

  function runNow(): Promise<T> {
    if (!running) return launch();
    // A run under way may have started before what the caller wants covered (a cut-off it just moved).
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return launch();
      });
    return next;
  }

  const tick = (): void => {
    if (running || (options.due && !options.due())) return;
    launch().catch((error: unknown) => options.onError?.(error));
  };

  return {
    runNow,
    start() {
      if (timer) return;
      if (controller.signal.aborted) controller = new AbortController();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
      if (options.runAtStart ?? true) tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      controller.abort();
      await Promise.allSettled([running, next]);
    },
  };
}
