import type { ReactNode } from 'react';
import { ActionBadge, WarningBadge } from '../../components/Badges.js';
import { formatInstant, formatShort } from '../../lib/format.js';
import { Link } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { summarizePayload, type StreamRow } from './buffer.js';

/** Fixed row height: the virtualizer needs no measuring, and prepends can keep the scroll anchored exactly. */
export const ROW_HEIGHT_PX = 34;

/** One event in the stream. */
export function StreamRowView(props: {
  row: StreamRow;
  selected: boolean;
  nowMs: number;
  onOpen: () => void;
}): ReactNode {
  const { nowMs } = props;
  const { event } = props.row;
  return (
    <div
      className={props.selected ? 'row selected' : 'row'}
      role="option"
      aria-selected={props.selected}
      data-testid="stream-row"
      data-event-id={event.id}
      onClick={props.onOpen}
    >
      <span className="cell time" title={`received ${formatInstant(event.receivedAt)} · time ${event.time}`}>
        {formatShort(event.receivedAt, nowMs)}
      </span>
      <span className="cell action">
        <ActionBadge action={event.action} />
      </span>
      <span className="cell type" data-testid="entity-type">
        {event.entityType}
      </span>
      <span className="cell entity">
        {/* The row opens the event: a click on its entity link must not reach the row too. */}
        <Link
          href={hrefs.entity(event.entityId)}
          title={event.entityId}
          onClick={(click) => click.stopPropagation()}
        >
          {event.entityId}
        </Link>
      </span>
      <span className="cell summary">{summarizePayload(event.payload)}</span>
      <span className="cell warn">
        <WarningBadge warnings={event.warnings} />
      </span>
    </div>
  );
}
