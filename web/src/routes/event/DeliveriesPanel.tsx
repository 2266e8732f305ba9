import { useQuery, useSubscription } from '@apollo/client/react';
import type { ReactNode } from 'react';
import { DeliveriesPanelDeliveryAddedDocument, DeliveriesPanelDocument } from '../../gql/graphql.js';
import { formatInstant } from '../../lib/format.js';

const SOURCE_NAMES = { cli: 'forward CLI', replay: 'replay', forward: 'FORWARD_TO' } as const;

/** Every attempt to deliver the event to a target (CLI, replay, FORWARD_TO) and its answer, live. */
export function DeliveriesPanel({ eventId }: { eventId: string }): ReactNode {
  const { data, refetch } = useQuery(DeliveriesPanelDocument, { variables: { id: eventId } });
  useSubscription(DeliveriesPanelDeliveryAddedDocument, {
    variables: { eventId },
    fetchPolicy: 'no-cache',
    onData: () => void refetch().catch(() => undefined),
  });
  const deliveries = data?.event?.deliveries ?? [];
  if (deliveries.length === 0) {
    return <p className="muted">Not delivered anywhere yet: forward it with the CLI, or replay it below.</p>;
  }
  return (
    <ol className="deliveries" data-testid="deliveries">
      {deliveries.map((delivery) => (
        <li key={delivery.id} className="delivery" data-testid="delivery">
          <div className="delivery-head">
            <span className="chip">{SOURCE_NAMES[delivery.source]}</span>
            <span
              className={
                delivery.status !== null && delivery.status !== undefined && delivery.status < 300
                  ? 'badge ok'
                  : 'badge failed'
              }
              data-testid="delivery-status"
            >
              {delivery.status ?? 'no answer'}
            </span>
            <code>{delivery.target}</code>
            <span className="muted" title={delivery.attemptedAt}>
              {formatInstant(delivery.attemptedAt)} · {delivery.durationMs} ms
            </span>
          </div>
          {delivery.error !== null && delivery.error !== undefined && (
            <p className="error" data-testid="delivery-error">
              {delivery.error}
            </p>
          )}
          {delivery.responseBody !== null &&
            delivery.responseBody !== undefined &&
            delivery.responseBody !== '' && (
              <pre className="raw" data-testid="delivery-body">
                {delivery.responseBody}
              </pre>
            )}
          {delivery.responseTruncated && <p className="muted">Answer cut at 64 KiB.</p>}
        </li>
      ))}
    </ol>
  );
}
