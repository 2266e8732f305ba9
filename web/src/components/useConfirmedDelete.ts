import { useState } from 'react';

/**
 * How many events a delete would remove, as the server counts them (`EventConnection.count`): the
 * number itself when `exact`, otherwise at least `value` ("1,000+").
 */
export interface EventCount {
  value: number;
  exact: boolean;
}

/** Where a confirmed delete is: counting, asking, deleting, done. */
export type DeletePhase =
  | { name: 'idle' }
  | { name: 'counting' }
  | { name: 'confirm'; count: EventCount; error: string | null }
  | { name: 'deleting'; count: EventCount }
  | { name: 'done'; deleted: number };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * A delete behind a confirmation that says how many: `count` asks the server how many would go (its
 * answer, not the rows on screen, which are a window of them), `remove` deletes and answers how many did.
 */
export function useConfirmedDelete(actions: {
  count: () => Promise<EventCount>;
  remove: () => Promise<number>;
}) {
  const [phase, setPhase] = useState<DeletePhase>({ name: 'idle' });
  const [error, setError] = useState<string | null>(null);
  return {
    phase,
    /** A counting failure (the dialog did not open). */
    error,
    ask() {
      setError(null);
      setPhase({ name: 'counting' });
      actions.count().then(
        (count) => setPhase({ name: 'confirm', count, error: null }),
        (failure: unknown) => {
          setError(messageOf(failure));
          setPhase({ name: 'idle' });
        },
      );
    },
    confirm() {
      if (phase.name !== 'confirm') return;
      const { count } = phase;
      setPhase({ name: 'deleting', count });
      actions.remove().then(
        (deleted) => setPhase({ name: 'done', deleted }),
        (failure: unknown) => setPhase({ name: 'confirm', count, error: messageOf(failure) }),
      );
    },
    cancel() {
      setPhase({ name: 'idle' });
    },
  };
}

/** "1 event", "2 events". */
export const eventsText = (count: number): string =>
  `${count.toLocaleString()} ${count === 1 ? 'event' : 'events'}`;

/**
 * A count as the server gave it, never more precise: "2 events", "1,000+ events" (at least that many),
 * "an uncounted number of events" (the count stopped before finding any).
 */
export const countText = ({ value, exact }: EventCount): string =>
  exact
    ? eventsText(value)
    : value === 0
      ? 'an uncounted number of events'
      : `${value.toLocaleString()}+ events`;

/** Whether a count says that nothing matches (then there is nothing to delete). */
export const countsNone = ({ value, exact }: EventCount): boolean => exact && value === 0;
