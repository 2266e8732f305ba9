import type { ReactNode } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { eventsText, useConfirmedDelete } from '../../components/useConfirmedDelete.js';
import { useServices } from '../../api/services.js';
import type { EventFilter } from '../../gql/graphql.js';

/** The outcome line after a delete, announced politely. */
function Outcome({ deleted }: { deleted: number | null }): ReactNode {
  if (deleted === null) return null;
  return (
    <span className="muted" role="status" data-testid="delete-outcome">
      Deleted {eventsText(deleted)}.
    </span>
  );
}

/**
 * "Delete matching…" for the filter bar: every event matching the current filters (not only those on
 * screen), after a confirmation with the server's count. Hidden without filters: that is "Clear all".
 */
export function DeleteMatchingButton({ filter }: { filter: EventFilter | null }): ReactNode {
  const { streamSource } = useServices();
  const flow = useConfirmedDelete({
    count: () => streamSource.countEvents(filter),
    // Never null here (the button is hidden without filters): null would delete everything.
    remove: () => (filter === null ? Promise.resolve(0) : streamSource.deleteEvents(filter)),
  });
  if (filter === null) return null;
  const { phase } = flow;
  const count = phase.name === 'confirm' || phase.name === 'deleting' ? phase.count : 0;
  return (
    <>
      <button type="button" className="danger" disabled={phase.name === 'counting'} onClick={flow.ask}>
        Delete matching…
      </button>
      {flow.error !== null && (
        <span className="error" role="alert">
          {flow.error}
        </span>
      )}
      <Outcome deleted={phase.name === 'done' ? phase.deleted : null} />
      <ConfirmDialog
        open={phase.name === 'confirm' || phase.name === 'deleting'}
        title="Delete matching events"
        confirmLabel={phase.name === 'deleting' ? 'Deleting…' : `Delete ${eventsText(count)}`}
        confirmDisabled={count === 0 || phase.name === 'deleting'}
        error={phase.name === 'confirm' ? phase.error : null}
        onConfirm={flow.confirm}
        onCancel={flow.cancel}
      >
        <p data-testid="delete-count">
          {count === 0
            ? 'No retained event matches these filters.'
            : `${eventsText(count)} ${count === 1 ? 'matches' : 'match'} these filters, including any not loaded on screen. They will be deleted for every viewer; this cannot be undone.`}
        </p>
      </ConfirmDialog>
    </>
  );
}

/** "Clear all…" for the stream bar: every retained event, after a confirmation with the server's count. */
export function ClearAllButton(): ReactNode {
  const { streamSource } = useServices();
  const flow = useConfirmedDelete({
    count: () => streamSource.countEvents(null),
    remove: () => streamSource.deleteEvents(null),
  });
  const { phase } = flow;
  const count = phase.name === 'confirm' || phase.name === 'deleting' ? phase.count : 0;
  return (
    <>
      <button type="button" className="danger" disabled={phase.name === 'counting'} onClick={flow.ask}>
        Clear all…
      </button>
      {flow.error !== null && (
        <span className="error" role="alert">
          {flow.error}
        </span>
      )}
      <Outcome deleted={phase.name === 'done' ? phase.deleted : null} />
      <ConfirmDialog
        open={phase.name === 'confirm' || phase.name === 'deleting'}
        title="Clear all events"
        confirmLabel={phase.name === 'deleting' ? 'Deleting…' : `Delete ${eventsText(count)}`}
        confirmDisabled={count === 0 || phase.name === 'deleting'}
        error={phase.name === 'confirm' ? phase.error : null}
        onConfirm={flow.confirm}
        onCancel={flow.cancel}
      >
        <p data-testid="delete-count">
          {count === 0
            ? 'There is no retained event to delete.'
            : `All ${eventsText(count)} retained will be deleted for every viewer, with the entities folded from them. Refused deliveries are kept. This cannot be undone.`}
        </p>
      </ConfirmDialog>
    </>
  );
}
