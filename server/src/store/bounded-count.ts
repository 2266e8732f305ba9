import type { BoundedCount } from './types.js';

/**
 * The {@link BoundedCount} of `matches` rows counted with a limit of `atMost` + 1: exact up to
 * `atMost`, past it "at least `atMost`".
 */
export function boundedCount(matches: number, atMost: number): BoundedCount {
  return matches > atMost ? { value: atMost, exact: false } : { value: matches, exact: true };
}
