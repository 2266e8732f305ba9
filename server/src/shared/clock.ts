/** Where the service reads the time: injected so that tests can move it without waiting. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that never reads earlier than `floorMs` or than its own previous reading. Arrivals are stamped
 * with it, so that a wall clock stepping back (NTP, a VM restore) cannot slot a new event in among
 * earlier ones: an entity's events then only ever grow at the end, which the fold cache relies on.
 */
export function monotonicClock(clock: Clock, floorMs: number): Clock {
  let lastMs = floorMs;
  return {
    now: () => (lastMs = Math.max(lastMs, clock.now())),
  };
}
