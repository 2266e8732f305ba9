// Event positions (`StoredEvent.sequence`): decimal integer strings, compared as integers without
// converting them (a position may outgrow a double's exact range long before it outgrows a string).

/** Most events a resuming subscription replays: a cursor further behind the newest must reload by query. */
export const MAX_RESUME_EVENTS = 10_000;

/** Whether `value` is a position as the stores write it: "0" or a decimal integer without leading zeros. */
export function isSequence(value: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(value);
}

/** Orders two positions (as {@link isSequence} accepts) as integers: negative, zero or positive. */
export function compareSequences(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
