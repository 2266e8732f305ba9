import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, type ReactNode } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { useConfirmedDelete } from '../../components/useConfirmedDelete.js';
import { ActionBadge, WarningList } from '../../components/Badges.js';
import { BACK_FALLBACK, BackHeader, NotRetained } from '../../components/BackHeader.js';
import { ChangesTable } from '../../components/ChangesTable.js';
import { CopyButton } from '../../components/CopyButton.js';
import { JsonTree } from '../../components/JsonTree.js';
import { useEscapeBack } from '../../components/useEscapeBack.js';
import { EventDeleteDocument, EventDetailDeletedDocument, EventDetailDocument } from '../../gql/graphql.js';
import { curlCommand } from '../../lib/curl.js';
import { formatInstant } from '../../lib/format.js';
import { Link, useNavigate } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { useServices } from '../../api/services.js';
import { ReplayForm } from '../../components/ReplayForm.js';
import { DeliveriesPanel } from './DeliveriesPanel.js';

/** Request headers as a two-column table, names sorted. */
function HeadersTable({ headers }: { headers: unknown }): ReactNode {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    return <p className="muted">No headers recorded.</p>;
  }
  const entries = Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p className="muted">No headers recorded.</p>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">
              <code>{name}</code>
            </th>
            <td>
              <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One event: payload tree, exact raw body, headers, changes, warnings and "copy as cURL". `inPane` shows it
 * beside the stream (split view): no "← Back", and Esc is the stream's.
 */
export default function EventDetail({ id, inPane = false }: { id: string; inPane?: boolean }): ReactNode {
  const { origin } = useServices();
  useEscapeBack(BACK_FALLBACK, !inPane);
  const { data, loading, error, refetch } = useQuery(EventDetailDocument, { variables: { id } });
  const navigate = useNavigate();
  const [deleteEvent] = useMutation(EventDeleteDocument);
  const removal = useConfirmedDelete({
    // One event: the count is the event itself, still retained as this page shows it.
    count: async () => ({ value: 1, exact: true }),
    async remove() {
      const result = await deleteEvent({ variables: { id } });
      return result.data?.deleteEvent.eventCount ?? 0;
    },
  });
  // Deleted here or in another dashboard: the page then says the event is gone.
  useSubscription(EventDetailDeletedDocument, {
    fetchPolicy: 'no-cache',
    onData: ({ data: message }) => {
      const ids = message.data?.eventsDeleted.eventIds;
      if (ids === null || ids === undefined || ids.includes(id)) void refetch().catch(() => undefined);
    },
  });
  const deletedHere = removal.phase.name === 'done';
  useEffect(() => {
    if (deletedHere) navigate(hrefs.stream(), { replace: true });
  }, [deletedHere, navigate]);

  if (loading && data === undefined) return <p className="muted page">Loading event…</p>;
  if (error !== undefined && data === undefined) {
    return (
      <p className="error page" role="alert">
        Could not load the event: {error.message}
      </p>
    );
  }
  const event = data?.event;
  if (event === undefined || event === null) {
    return (
      <NotRetained title="Event not found">
        No retained event has the id <code>{id}</code>. It may have expired.
      </NotRetained>
    );
  }
  const curl = curlCommand(origin, event.raw);
  return (
    <article className="page detail" aria-label="Event detail">
      <BackHeader back={!inPane}>
        <ActionBadge action={event.action} /> <span>{event.entityType}</span>{' '}
        <Link href={hrefs.entity(event.entityId)}>{event.entityId}</Link>
      </BackHeader>
      <dl className="meta">
        <dt>Event id</dt>
        <dd>
          <code>{event.id}</code>
        </dd>
        <dt>Received</dt>
        <dd title={event.receivedAt}>{formatInstant(event.receivedAt)}</dd>
        <dt>Event time</dt>
        <dd>
          <code>{event.time}</code>
        </dd>
        <dt>Modified fields</dt>
        <dd>
          {event.modifiedFields === null || event.modifiedFields === undefined ? (
            <span className="muted">not given</span>
          ) : (
            event.modifiedFields.map((field) => (
              <code key={field} className="chip">
                {field}
              </code>
            ))
          )}
        </dd>
        <dt>Delivery id</dt>
        <dd>
          {event.deliveryId ?? (
            <span className="muted">none (no webhook-id, svix-id or X-GitHub-Delivery header)</span>
          )}
        </dd>
        {event.entity !== null && event.entity !== undefined && (
          <>
            <dt>Entity now</dt>
            <dd>
              version {event.entity.version}
              {event.entity.deleted && <span className="badge deleted">deleted</span>}
              {!event.entity.complete && <span className="badge incomplete">incomplete</span>}
            </dd>
          </>
        )}
      </dl>
      <div className="detail-actions">
        <button type="button" className="danger" onClick={removal.ask}>
          Delete event…
        </button>
      </div>
      <ConfirmDialog
        open={removal.phase.name === 'confirm' || removal.phase.name === 'deleting'}
        title="Delete this event"
        confirmLabel={removal.phase.name === 'deleting' ? 'Deleting…' : 'Delete 1 event'}
        confirmDisabled={removal.phase.name === 'deleting'}
        error={removal.phase.name === 'confirm' ? removal.phase.error : null}
        onConfirm={removal.confirm}
        onCancel={removal.cancel}
      >
        <p data-testid="delete-count">
          1 event ({event.action} of {event.entityType} {event.entityId}) will be deleted for every viewer;
          the entity is folded again without it. This cannot be undone.
        </p>
      </ConfirmDialog>
      <WarningList warnings={event.warnings} />
      <section>
        <h2>Changes</h2>
        <ChangesTable changes={event.changes} />
      </section>
      <section>
        <h2>Payload</h2>
        <JsonTree value={event.payload} label="Payload" />
      </section>
      <section>
        <h2>Raw body</h2>
        <pre className="raw" data-testid="raw-body">
          {event.raw}
        </pre>
      </section>
      <section>
        <h2>Headers</h2>
        <HeadersTable headers={event.headers} />
      </section>
      <section aria-label="Deliveries">
        <h2>Deliveries</h2>
        <DeliveriesPanel eventId={event.id} />
        <ReplayForm selection={{ eventId: event.id }} label="Replay this event" />
      </section>
      <section>
        <h2>Re-send</h2>
        <CopyButton text={curl} label="Copy as cURL" />
        <pre className="raw curl" data-testid="curl">
          {curl}
        </pre>
      </section>
    </article>
  );
}
