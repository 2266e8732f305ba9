import type { ReactNode } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import {
  countsNone,
  countText,
  eventsText,
  useConfirmedDelete,
  type EventCount,
} from '../../components/useConfirmedDelete.js';
import { useServices } from '../../api/services.js';
import type { EventFilter } from '../../gql/graphql.js';

/** A button that deletes events behind a confirmation saying how many (the server's count). */
function ConfirmedDeleteButton(props: {
  label: string;
  title: string;
  count: () => Promise<EventCount>;
  remove: () => Promise<number>;
  /** What the dialog says for a count above zero, and for none. */
  describe: (count: EventCount) => string;
}): ReactNode {
  const flow = useConfirmedDelete({ count: props.count, remove: props.remove });
  const { phase } = flow;
  const asking = phase.name === 'confirm' || phase.name === 'deleting';
  const count: EventCount = asking ? phase.count : { value: 0, exact: true };
  return (
    <>
      <button type="button" className="danger" disabled={phase.name === 'counting'} onClick={flow.ask}>
        {props.label}
      </button>
      {flow.error !== null && (
        <span className="error" role="alert">
          {flow.error}
        </span>
      )}
      {phase.name === 'done' && (
        <span className="muted" role="status" data-testid="delete-outcome">
          Deleted {eventsText(phase.deleted)}.
        </span>
      )}
      <ConfirmDialog
        open={asking}
        title={props.title}
        confirmLabel={phase.name === 'deleting' ? 'Deleting…' : `Delete ${countText(count)}`}
        confirmDisabled={countsNone(count) || phase.name === 'deleting'}
        error={phase.name === 'confirm' ? phase.error : null}
        onConfirm={flow.confirm}
        onCancel={flow.cancel}
      >
        <p data-testid="delete-count">{props.describe(count)}</p>
      </ConfirmDialog>
    </>
  );
}

/**
 * "Delete matching…" for the filter bar: every event matching the current filters (not only those on
 * screen). Hidden without filters: deleting everything is "Clear all".
 */
export function DeleteMatchingButton({ filter }: { filter: EventFilter | null }): ReactNode {
  const { streamSource } = useServices();
  if (filter === null) return null;
  return (
    <ConfirmedDeleteButton
      label="Delete matching…"
      title="Delete matching events"
      count={() => streamSource.countEvents(filter)}
      remove={() => streamSource.deleteEvents(filter)}
      describe={(count) =>
        countsNone(count)
          ? 'No retained event matches these filters.'
          : `${countText(count)} ${count.exact && count.value === 1 ? 'matches' : 'match'} these filters, including any not loaded on screen.${count.exact ? '' : ' (The server stops counting there; every match is deleted.)'} They will be deleted for every viewer; this cannot be undone.`
      }
    />
  );
}

/** "Clear all…" for the stream bar: every retained event. */
export function ClearAllButton(): ReactNode {
  const { streamSource } = useServices();
  return (
    <ConfirmedDeleteButton
      label="Clear all…"
      title="Clear all events"
      count={() => streamSource.countEvents(null)}
      remove={() => streamSource.deleteEvents(null)}
      describe={(count) =>
        countsNone(count)
          ? 'There is no retained event to delete.'
          : `All ${countText(count)} retained will be deleted for every viewer, with the entities folded from them. Refused deliveries are kept. This cannot be undone.`
      }
    />
  );
}
