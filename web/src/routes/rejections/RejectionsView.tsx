import { useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useState, type ReactNode } from 'react';
import { useEscapeBack } from '../../components/useEscapeBack.js';
import {
  RejectionsViewDocument,
  RejectionsViewRejectionAddedDocument,
  type RejectionItem_RejectionFragment,
} from '../../gql/graphql.js';
import { formatInstant } from '../../lib/format.js';
import { hrefs } from '../../lib/routes.js';
import { useConnection } from '../../api/services.js';

/** Refusals kept in view, live ones included (older ones are one "load more" away). */
const MAX_LIVE = 500;

/** One refused delivery: why, when, and the body as received. */
function RejectionItem({ rejection }: { rejection: RejectionItem_RejectionFragment }): ReactNode {
  return (
    <li className="rejection" data-testid="rejection">
      <div className="point-head">
        <span className="badge warn">{rejection.status}</span>
        <code>{rejection.code}</code>
        <span>{rejection.message}</span>
        <span className="spacer" />
        <span className="muted" title={rejection.receivedAt}>
          {formatInstant(rejection.receivedAt)}
        </span>
      </div>
      {rejection.issues.length > 0 && (
        <ul className="issues">
          {rejection.issues.map((issue, index) => (
            <li key={index}>
              <code>{issue.path === '' ? '(body)' : issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>
          Raw body ({rejection.rawBytes.toLocaleString()} bytes{rejection.rawTruncated ? ', truncated' : ''})
          and headers
        </summary>
        <pre className="raw">{rejection.raw}</pre>
        <pre className="raw">{JSON.stringify(rejection.headers, null, 2)}</pre>
      </details>
    </li>
  );
}

/** Refused deliveries, newest first, live. */
export default function RejectionsView(): ReactNode {
  useEscapeBack(hrefs.stream());
  const { generation } = useConnection();
  const query = useQuery(RejectionsViewDocument, { variables: { first: 50 } });
  const { refetch } = query;
  const [live, setLive] = useState<RejectionItem_RejectionFragment[]>([]);
  useSubscription(RejectionsViewRejectionAddedDocument, {
    fetchPolicy: 'no-cache',
    onData: ({ data }) => {
      const added = data.data?.rejectionAdded;
      if (added !== undefined) setLive((current) => [added, ...current].slice(0, MAX_LIVE));
    },
  });
  useEffect(() => {
    if (generation > 1) void refetch().catch(() => undefined);
  }, [generation, refetch]);

  const connection = query.data?.rejections;
  const paged = connection?.edges.map((edge) => edge.node) ?? [];
  const seen = new Set<string>();
  const all = [...live, ...paged].filter((rejection) => {
    if (seen.has(rejection.id)) return false;
    seen.add(rejection.id);
    return true;
  });

  return (
    <section className="page" aria-label="Refused deliveries">
      <h1>Refused deliveries</h1>
      <p className="muted">
        Bodies that <code>/webhooks/event</code> refused, kept for the retention period so their sender can be
        debugged.
      </p>
      {query.error !== undefined && (
        <p className="error" role="alert">
          {query.error.message}
        </p>
      )}
      {query.loading && query.data === undefined && <p className="muted">Loading…</p>}
      {!query.loading && all.length === 0 && <p className="muted">Nothing refused so far.</p>}
      <ol className="rejections">
        {all.map((rejection) => (
          <RejectionItem key={rejection.id} rejection={rejection} />
        ))}
      </ol>
      {connection?.pageInfo.hasNextPage === true && (
        <button
          type="button"
          onClick={() => {
            void query
              .fetchMore({
                variables: { after: connection.pageInfo.endCursor },
                updateQuery: (previous, { fetchMoreResult }) => ({
                  rejections: {
                    ...fetchMoreResult.rejections,
                    edges: [...previous.rejections.edges, ...fetchMoreResult.rejections.edges],
                  },
                }),
              })
              .catch(() => undefined);
          }}
        >
          Load older
        </button>
      )}
    </section>
  );
}
