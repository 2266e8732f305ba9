import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { Kind, parse, type DocumentNode } from 'graphql';
import type { Client } from 'graphql-ws';

/**
 * Runs each request against the text actually sent. GraphiQL takes the operation name and the parsed
 * document from its store, which it updates a moment after the editor changes: a run right after a tab
 * switch sent the new tab's text with the previous tab's name (the server answered "Unknown operation
 * named …") and, for a subscription, went over HTTP instead of the socket, since the toolkit decides by
 * that stale document. Here both come from the query text itself.
 */
export function withCurrentDocument(fetcher: Fetcher): Fetcher {
  return (params, options) => {
    let document: DocumentNode;
    try {
      document = parse(params.query);
    } catch {
      // Not GraphQL (yet): let the server's answer name the syntax error.
      return fetcher(params, options);
    }
    const names = document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? null] : [],
    );
    const requested = params.operationName ?? null;
    // With several operations the name chooses one, and a name the text lacks is the stale one: with one
    // operation that one runs; with several the server asks for a choice.
    const operationName = names.includes(requested)
      ? requested
      : names.length === 1
        ? (names[0] ?? null)
        : null;
    return fetcher({ ...params, operationName }, { ...options, documentAST: document });
  };
}

/** The query IDE's fetcher: HTTP to `httpUrl` for queries and mutations, `ws` for subscriptions. */
export function createQueryFetcher(httpUrl: string, ws: Client): Fetcher {
  return withCurrentDocument(
    createGraphiQLFetcher({
      url: httpUrl,
      wsClient: ws,
      // The schema has no @defer/@stream: plain JSON answers, no multipart parsing.
      enableIncrementalDelivery: false,
    }),
  );
}
