import type { Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { useSyncExternalStore, type ReactNode } from 'react';
import operations from 'virtual:readme-operations';
import type { ConnectionStore } from '../api/connection.js';
import { StatusBadge } from '../components/Header.js';
import { absoluteHref, hrefs, QUERY_PAGE_PATH } from '../lib/routes.js';

/** One tab per README example, in the README's order (GraphiQL titles each tab by its operation's name). */
const README_TABS = operations.map(({ query }) => ({ query }));

/**
 * The Query tab: GraphiQL on this server's /graphql (HTTP for queries and mutations, graphql-ws for
 * subscriptions), under a header that leads back to the dashboard's views. Everything it loads is this
 * server's, so it works on a network without internet access (Apollo Sandbox at /graphql does not).
 */
export function QueryPage({
  fetcher,
  connection,
}: {
  fetcher: Fetcher;
  connection: ConnectionStore;
}): ReactNode {
  const { status } = useSyncExternalStore(connection.subscribe, connection.getSnapshot);
  return (
    <>
      {/* Plain anchors: the dashboard is another page (its router and bundle are not loaded here). */}
      <header className="top">
        <a href={absoluteHref(hrefs.stream())} className="brand">
          hookscope
        </a>
        <nav aria-label="Views">
          <a href={absoluteHref(hrefs.stream())}>Stream</a>
          <a href={absoluteHref(hrefs.rejections())}>Refused</a>
          <a href={QUERY_PAGE_PATH} className="current" aria-current="page">
            Query
          </a>
        </nav>
        <StatusBadge status={status} />
        <span className="spacer" />
        <a href="/graphql" target="_blank" rel="noopener noreferrer">
          GraphQL Sandbox ↗
        </a>
      </header>
      <main className="query-ide">
        <GraphiQL fetcher={fetcher} defaultTabs={README_TABS} defaultEditorToolsVisibility={false} />
      </main>
    </>
  );
}
