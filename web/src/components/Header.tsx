import { ServerError } from '@apollo/client/errors';
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, type ReactNode } from 'react';
import {
  HeaderGenerateMockEventsDocument,
  HeaderStatsChangedDocument,
  HeaderStatsDocument,
} from '../gql/graphql.js';
import type { ConnectionStatus } from '../api/connection.js';
import { Link, useCurrentRoute } from '../lib/navigation.js';
import { hrefs, QUERY_PAGE_PATH } from '../lib/routes.js';
import { useConnection } from '../api/services.js';

/** The counts follow `statsChanged`; the poll is only a fallback (a subscription message lost to a
 * reconnect is also caught by the refetch after it). */
const STATS_POLL_MS = 30_000;
/** Events created per click of "generate mock events". */
const MOCK_BATCH = 20;

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting',
  offline: 'offline',
};
const STATUS_TITLE: Record<ConnectionStatus, string> = {
  connecting: 'Opening the live connection…',
  live: 'Connected: new events appear as they arrive.',
  reconnecting: 'The live connection dropped; retrying. Missed events are fetched once it is back.',
  offline: 'The server has been unreachable for a while; still retrying. What you see may be stale.',
};

/** The connection badge: live / reconnecting / offline, so the page is never silently stale. */
export function StatusBadge({ status }: { status: ConnectionStatus }): ReactNode {
  return (
    <span
      className={`status status-${status}`}
      role="status"
      data-testid="connection-status"
      title={STATUS_TITLE[status]}
    >
      <span className="dot" aria-hidden="true" />
      {STATUS_TEXT[status]}
    </span>
  );
}

/** The header: navigation, status, counts, retention, Sandbox link and the mock-event button. */
export function Header(): ReactNode {
  const { status, generation } = useConnection();
  const stats = useQuery(HeaderStatsDocument, {
    pollInterval: STATS_POLL_MS,
    notifyOnNetworkStatusChange: false,
  });
  const [generate, generating] = useMutation(HeaderGenerateMockEventsDocument);
  const { refetch } = stats;
  // Each message replaces the query's result in the cache, so the counts have one source for rendering.
  useSubscription(HeaderStatsChangedDocument, {
    fetchPolicy: 'no-cache',
    onData: ({ client, data }) => {
      const changed = data.data?.statsChanged;
      if (changed !== undefined) client.writeQuery({ query: HeaderStatsDocument, data: { stats: changed } });
    },
  });

  useEffect(() => {
    // After a reconnect the counts are as stale as the stream: refresh them now, not at the next poll.
    if (generation > 1) void refetch().catch(() => undefined);
  }, [generation, refetch]);

  const data = stats.data?.stats;
  // With AUTH_TOKEN / AUTH_USERS the session can expire; a reload goes through the server's sign-in.
  const signedOut = ServerError.is(stats.error) && stats.error.statusCode === 401;
  const routeName = useCurrentRoute().name;
  const onRejections = routeName === 'rejections';
  const onSchemas = routeName === 'schemas';
  return (
    <header className="top">
      <Link href={hrefs.stream()} className="brand">
        hookscope
      </Link>
      <nav aria-label="Views">
        <Link href={hrefs.stream()} className={onRejections || onSchemas ? '' : 'current'}>
          Stream
        </Link>
        <Link href={hrefs.rejections()} className={onRejections ? 'current' : ''}>
          Refused{data !== undefined && data.totalRejections > 0 ? ` (${data.totalRejections})` : ''}
        </Link>
        <Link href={hrefs.schemas()} className={onSchemas ? 'current' : ''}>
          Schemas
        </Link>
        {/* A full page load: the query IDE is its own page, so GraphiQL never weighs on the dashboard's bundle. */}
        <a href={QUERY_PAGE_PATH}>Query</a>
      </nav>
      <StatusBadge status={status} />
      <span className="stats" data-testid="stats">
        {data === undefined ? (
          stats.error !== undefined ? (
            <span className="error">stats unavailable</span>
          ) : (
            '…'
          )
        ) : (
          <>
            <span title="Events retained">{data.totalEvents.toLocaleString()} events</span>
            <span title="Entities with retained events">{data.totalEntities.toLocaleString()} entities</span>
            <span title={`Events are deleted ${data.retention} after they are received`}>
              kept {data.retention}
            </span>
          </>
        )}
      </span>
      {signedOut && (
        <span className="error" role="alert">
          Signed out.{' '}
          <button type="button" className="link" onClick={() => window.location.reload()}>
            Reload to sign in
          </button>
        </span>
      )}
      <span className="spacer" />
      <button
        type="button"
        disabled={generating.loading}
        onClick={() => {
          void generate({ variables: { count: MOCK_BATCH } })
            .then(() => refetch())
            .catch(() => undefined);
        }}
      >
        {generating.loading ? 'Generating…' : `Generate ${MOCK_BATCH} mock events`}
      </button>
      {generating.error !== undefined && (
        <span className="error" role="alert">
          {generating.error.message}
        </span>
      )}
      {/* A full page load on purpose: Sandbox is the server's page, not part of this app. */}
      <a href="/graphql" target="_blank" rel="noopener noreferrer">
        GraphQL Sandbox ↗
      </a>
    </header>
  );
}
