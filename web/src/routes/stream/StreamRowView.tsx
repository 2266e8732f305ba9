import type { ReactNode } from 'react';
import { ActionBadge, WarningBadge } from '../../components/Badges.js';
import { formatInstant, formatShort } from '../../lib/format.js';
import { Link } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { summarizePayload, type StreamRow } from './buffer.js';

/** Fixed row height: the virtualizer needs no measuring, and prepends can keep the scroll anchored exactly. */
export const ROW_HEIGHT_PX = 34;

/**
 * One event in the stream. The row itself is not interactive: its one link (on the time, its hit area
 * stretched over the whole row by CSS) opens the event, and the entity link sits above that area. A
 * focusable row around links would be `nested-interactive` (one tab stop hiding others from screen readers).
 */
export function StreamRowView(props: {
  row: StreamRow;
  selected: boolean;
  nowMs: number;
  /** Where the row's link goes: the split view's selection (wide screens) or the event's page. */
  href: string;
  /** True when following the link only selects (it then rewrites the history entry instead of adding one). */
  selects: boolean;
}): ReactNode {
  const { nowMs } = props;
  const { event } = props.row;
  const received = formatShort(event.receivedAt, nowMs);
  return (
    <div
      className={props.selected ? 'row selected' : 'row'}
      data-testid="stream-row"
      data-event-id={event.id}
      data-selected={props.selected}
    >
      <span className="cell time" title={`received ${formatInstant(event.receivedAt)} · time ${event.time}`}>
        <Link
          href={props.href}
          replace={props.selects}
          className="row-link"
          data-row-link=""
          aria-current={props.selected ? 'true' : undefined}
          aria-label={`${event.action} ${event.entityType} ${event.entityId}, received ${received}`}
        >
          {received}
        </Link>
      </span>
      <span className="cell action">
        <ActionBadge action={event.action} />
      </span>
      <span className="cell type" data-testid="entity-type">
        {event.entityType}
      </span>
      <span className="cell entity">
        <Link href={hrefs.entity(event.entityId)} title={event.entityId} className="above-row-link">
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
