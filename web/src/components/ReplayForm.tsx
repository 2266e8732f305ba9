import { useMutation } from '@apollo/client/react';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ReplayFormReplayDocument } from '../gql/graphql.js';

/** Where the last target typed is kept, so the next replay (any event, any entity) starts from it. */
export const REPLAY_TARGET_STORAGE_KEY = 'hookscope.replayTarget';
const DEFAULT_TARGET = 'http://localhost:3000/webhook';

function storedTarget(): string {
  try {
    return localStorage.getItem(REPLAY_TARGET_STORAGE_KEY) ?? DEFAULT_TARGET;
  } catch {
    return DEFAULT_TARGET; // storage refused (private mode, policy): the default will do
  }
}

function rememberTarget(target: string): void {
  try {
    localStorage.setItem(REPLAY_TARGET_STORAGE_KEY, target);
  } catch {
    // Not remembered; the replay itself is unaffected.
  }
}

/** What to replay: one event, or an entity's whole stream (in fold order). */
export type ReplaySelection = { eventId: string } | { entityId: string };

/** A target input and a Replay button; says how the replay went (the answers show in each event's panel). */
export function ReplayForm({ selection, label }: { selection: ReplaySelection; label: string }): ReactNode {
  const inputId = useId();
  const [target, setTarget] = useState(storedTarget);
  const [replay, { data, error, loading }] = useMutation(ReplayFormReplayDocument);
  const onSubmit = (submitted: FormEvent): void => {
    submitted.preventDefault();
    rememberTarget(target);
    const variables =
      'eventId' in selection
        ? { ids: [selection.eventId], target }
        : { entityId: selection.entityId, target };
    void replay({ variables }).catch(() => undefined);
  };
  const summary = data?.replayEvents;
  return (
    <form className="replay-form" onSubmit={onSubmit} aria-label={label}>
      <label htmlFor={inputId}>Target URL</label>
      <input
        id={inputId}
        type="url"
        required
        value={target}
        onChange={(changed) => setTarget(changed.target.value)}
        placeholder={DEFAULT_TARGET}
        data-testid="replay-target"
      />
      <button type="submit" className="primary" disabled={loading}>
        {loading ? 'Replaying…' : label}
      </button>
      <p className="replay-result" role="status" data-testid="replay-result">
        {error !== undefined ? (
          <span className="error">{error.message}</span>
        ) : summary ? (
          `${summary.attempted} of ${summary.eventCount} sent to ${summary.target}: ${summary.succeeded} answered 2xx, ${summary.failed} failed` +
          (summary.skipped > 0 ? `, ${summary.skipped} skipped (expired)` : '') +
          (summary.complete ? '.' : '; the rest are still being sent.')
        ) : null}
      </p>
    </form>
  );
}
