import { skipToken, useQuery, useSubscription } from '@apollo/client/react';
import { print } from 'graphql';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ActionBadge, WarningBadge, WarningList } from '../../components/Badges.js';
import { BACK_FALLBACK, BackHeader, NotRetained } from '../../components/BackHeader.js';
import { ChangesTable } from '../../components/ChangesTable.js';
import { JsonTree } from '../../components/JsonTree.js';
import { useEscapeBack } from '../../components/useEscapeBack.js';
import {
  EntityEventAddedDocument,
  EntityEventsDeletedDocument,
  EntityEventsPurgedDocument,
  EntityStateAtDocument,
  EntityViewDocument,
  type EntityEventAddedSubscription,
} from '../../gql/graphql.js';
import { formatInstant } from '../../lib/format.js';
import { Link } from '../../lib/navigation.js';
import { exportHref } from '../../lib/export.js';
import { hrefs } from '../../lib/routes.js';
import { subscribeResumable } from '../../api/resume.js';
import { useConnection, useServices } from '../../api/services.js';
import { ReplayForm } from '../../components/ReplayForm.js';

/** The live events' text, sent by graphql-ws directly so that its cursor stays current on retries. */
const ENTITY_EVENT_ADDED = print(EntityEventAddedDocument);

/** Timeline events per page. */
const TIMELINE_PAGE = 200;
/** Live events for a busy entity are coalesced into at most one refetch per this interval. */
const REFETCH_COALESCE_MS = 250;

/** One entity: its folded state, badges, a timeline with per-event diffs, and time travel via `stateAt`. */
export default function EntityView({ id }: { id: string }): ReactNode {
  useEscapeBack(BACK_FALLBACK);
  const { generation } = useConnection();
  const { ws } = useServices();
  const query = useQuery(EntityViewDocument, { variables: { id, first: TIMELINE_PAGE } });
  const { refetch, fetchMore } = query;
  const [pointId, setPointId] = useState<string | null>(null);

  // New events of this entity refresh the fold; a burst costs one refetch.
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleRefetch = (): void => {
    refetchTimer.current ??= setTimeout(() => {
      refetchTimer.current = null;
      void refetch().catch(() => undefined);
    }, REFETCH_COALESCE_MS);
  };
  useEffect(
    () => () => {
      if (refetchTimer.current !== null) clearTimeout(refetchTimer.current);
    },
    [],
  );
  // Resumed after the last event received on each reconnect; when the server cannot resume, the
  // refetch reloads the fold and live events go on from now (the refetch comes after the subscription).
  const scheduleRefetchRef = useRef(scheduleRefetch);
  scheduleRefetchRef.current = scheduleRefetch;
  useEffect(
    () =>
      subscribeResumable<EntityEventAddedSubscription>(ws, {
        query: ENTITY_EVENT_ADDED,
        variables: { filter: { entityId: id } },
        after: null,
        sequenceOf: (data) => data.eventAdded.sequence,
        onData: () => scheduleRefetchRef.current(),
        onResync: () => {
          scheduleRefetchRef.current();
          return Promise.resolve(null);
        },
      }),
    [ws, id],
  );
  useSubscription(EntityEventsPurgedDocument, { fetchPolicy: 'no-cache', onData: scheduleRefetch });
  useSubscription(EntityEventsDeletedDocument, {
    fetchPolicy: 'no-cache',
    onData: ({ data }) => {
      const entityIds = data.data?.eventsDeleted.entityIds;
      if (entityIds === null || entityIds === undefined || entityIds.includes(id)) scheduleRefetch();
    },
  });
  useEffect(() => {
    // Back from a dropped connection: whatever happened meanwhile is in the server's fold.
    if (generation > 1) void refetch().catch(() => undefined);
  }, [generation, refetch]);

  const entity = query.data?.entity;
  const timeline = entity?.events.edges.map((edge) => edge.node) ?? [];
  const point = pointId === null ? null : (timeline.find((event) => event.id === pointId) ?? null);
  const stateAt = useQuery(
    EntityStateAtDocument,
    point === null ? skipToken : { variables: { id, time: point.time } },
  );

  if (query.loading && query.data === undefined) return <p className="muted page">Loading entity…</p>;
  if (query.error !== undefined && query.data === undefined) {
    return (
      <p className="error page" role="alert">
        Could not load the entity: {query.error.message}
      </p>
    );
  }
  if (entity === undefined || entity === null) {
    return (
      <NotRetained title="Entity not found">
        No retained event belongs to the entity <code>{id}</code>.
      </NotRetained>
    );
  }

  const pointIndex = point === null ? -1 : timeline.indexOf(point);
  const shownState = point === null ? entity.state : stateAt.data?.entity?.stateAt;
  return (
    <article className="page entity" aria-label="Entity">
      <BackHeader>
        <span>{entity.entityType}</span> <code>{entity.id}</code>
        {entity.deleted && (
          <span className="badge deleted" data-testid="deleted-badge">
            deleted
          </span>
        )}
        {!entity.complete && (
          <span
            className="badge incomplete"
            title="Its create event is not retained (expired or never received)"
          >
            incomplete
          </span>
        )}
      </BackHeader>
      <p className="muted">
        version {entity.version} ·{' '}
        {entity.createdAt === null || entity.createdAt === undefined
          ? 'created: unknown'
          : `created ${entity.createdAt}`}{' '}
        · updated {entity.updatedAt} ·{' '}
        <Link href={hrefs.stream(`?entity=${encodeURIComponent(entity.id)}`)}>its events in the stream</Link>{' '}
        ·{' '}
        <a
          href={exportHref({ entityId: entity.id })}
          download
          title="Download this entity's events as NDJSON, oldest first"
        >
          export its events
        </a>
      </p>
      <WarningList warnings={entity.warnings} />
      <section aria-label="Replay" className="entity-replay">
        <h2>Replay</h2>
        <p className="muted">
          Sends this entity&apos;s {entity.events.totalCount} events again, in fold order; each event&apos;s
          details show how the target answered.
        </p>
        <ReplayForm selection={{ entityId: entity.id }} label="Replay this entity's stream" />
      </section>
      <div className="entity-grid">
        <section aria-label="State" data-testid="entity-state">
          <div className="state-head">
            <h2>{point === null ? 'Current state' : `State as of ${point.time}`}</h2>
            {point !== null && (
              <button type="button" onClick={() => setPointId(null)}>
                Back to current
              </button>
            )}
          </div>
          {point !== null && (
            <p className="muted" data-testid="time-travel-note">
              After event {pointIndex + 1} of {entity.events.totalCount} (fold order).
            </p>
          )}
          {point !== null && stateAt.loading && stateAt.data === undefined ? (
            <p className="muted">Loading…</p>
          ) : stateAt.error !== undefined && point !== null ? (
            <p className="error">{stateAt.error.message}</p>
          ) : shownState === null || shownState === undefined ? (
            <p className="muted">No state yet.</p>
          ) : (
            <JsonTree value={shownState} label="State" expandDepth={3} />
          )}
        </section>
        <section aria-label="Timeline">
          <h2>
            Timeline <span className="muted">({entity.events.totalCount} events, oldest first)</span>
          </h2>
          <ol className="timeline" data-testid="timeline">
            {timeline.map((event, index) => (
              <li
                key={event.id}
                className={event.id === pointId ? 'point selected' : 'point'}
                data-testid="timeline-item"
              >
                <div className="point-head">
                  <span className="muted">#{index + 1}</span>
                  <ActionBadge action={event.action} />
                  <code title={`received ${formatInstant(event.receivedAt)}`}>{event.time}</code>
                  {event.entityType !== entity.entityType && <span className="chip">{event.entityType}</span>}
                  <WarningBadge warnings={event.warnings} />
                  <span className="spacer" />
                  <button
                    type="button"
                    aria-pressed={event.id === pointId}
                    onClick={() => setPointId(event.id === pointId ? null : event.id)}
                  >
                    {event.id === pointId ? 'Viewing this point' : 'State at this point'}
                  </button>
                  <Link href={hrefs.event(event.id)}>details</Link>
                </div>
                <ChangesTable changes={event.changes} />
              </li>
            ))}
          </ol>
          {entity.events.pageInfo.hasNextPage && (
            <button
              type="button"
              onClick={() => {
                void fetchMore({
                  variables: { after: entity.events.pageInfo.endCursor },
                  updateQuery: (previous, { fetchMoreResult }) => {
                    const before = previous.entity;
                    const more = fetchMoreResult.entity;
                    if (before === null || before === undefined || more === null || more === undefined)
                      return fetchMoreResult;
                    return {
                      entity: {
                        ...more,
                        events: { ...more.events, edges: [...before.events.edges, ...more.events.edges] },
                      },
                    };
                  },
                }).catch(() => undefined);
              }}
            >
              Load more events
            </button>
          )}
        </section>
      </div>
    </article>
  );
}
