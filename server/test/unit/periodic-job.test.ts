import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPeriodicJob } from '../../src/shared/periodic-job.js';

/** A run that finishes only when told to, so that a test decides what overlaps what. */
function gatedRuns() {
  const gates: (() => void)[] = [];
  const signals: AbortSignal[] = [];
  let started = 0;
  const run = (signal: AbortSignal): Promise<number> => {
    const n = ++started;
    signals.push(signal);
    return new Promise((resolve) => gates.push(() => resolve(n)));
  };
  return {
    run,
    signals,
    started: () => started,
    /** Lets the oldest unfinished run finish. */
    finishNext: () => gates.shift()?.(),
  };
}

describe('createPeriodicJob', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at start and every interval, skipping ticks while a run is under way', async () => {
    vi.useFakeTimers();
    const runs = gatedRuns();
    const job = createPeriodicJob({ intervalMs: 1_000, run: runs.run });
    job.start();
    job.start(); // a second start changes nothing
    expect(runs.started()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs.started()).toBe(1); // still running: the ticks did not pile up
    runs.finishNext();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs.started()).toBe(2);
    runs.finishNext();
    const stopping = job.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopping;
    expect(runs.started()).toBe(2);
  });

  it('does not run at start when told not to, and puts a tick off while `due` says no', async () => {
    vi.useFakeTimers();
    let due = false;
    const runs = gatedRuns();
    const job = createPeriodicJob({ intervalMs: 100, run: runs.run, runAtStart: false, due: () => due });
    job.start();
    expect(runs.started()).toBe(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(runs.started()).toBe(0);
    due = true;
    await vi.advanceTimersByTimeAsync(100);
    expect(runs.started()).toBe(1);
    runs.finishNext();
    await job.stop();
  });

  it('runNow after a run under way runs once more, shared by every caller meanwhile', async () => {
    const runs = gatedRuns();
    const job = createPeriodicJob({ intervalMs: 60_000, run: runs.run, runAtStart: false });
    const first = job.runNow();
    const second = job.runNow();
    const third = job.runNow();
    expect(runs.started()).toBe(1);
    runs.finishNext();
    expect(await first).toBe(1);
    await vi.waitFor(() => expect(runs.started()).toBe(2));
    runs.finishNext();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
  });

  it('reports a failed timed run to onError and keeps going; runNow callers get their own rejection', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let fail = true;
    const job = createPeriodicJob({
      intervalMs: 100,
      run: async () => {
        if (fail) throw new Error('disk full');
        return 'ok';
      },
      onError: (error) => errors.push(error),
    });
    job.start();
    await vi.advanceTimersByTimeAsync(250);
    expect(errors.map((error) => (error as Error).message)).toEqual(['disk full', 'disk full', 'disk full']);
    await expect(job.runNow()).rejects.toThrow('disk full');
    expect(errors).toHaveLength(3);
    fail = false;
    await expect(job.runNow()).resolves.toBe('ok');
    await job.stop();
  });

  it('stop aborts the running run and waits for it; a later start runs again with a fresh signal', async () => {
    const runs = gatedRuns();
    const job = createPeriodicJob({ intervalMs: 60_000, run: runs.run });
    job.start();
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    expect(runs.signals[0]?.aborted).toBe(true);
    await Promise.resolve();
    expect(stopped).toBe(false);
    runs.finishNext();
    await stopping;
    job.start();
    expect(runs.started()).toBe(2);
    expect(runs.signals[1]?.aborted).toBe(false);
    runs.finishNext();
    await job.stop();
  });
});
