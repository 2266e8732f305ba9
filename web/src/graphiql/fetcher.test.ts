import type { Fetcher, FetcherOpts, FetcherParams } from '@graphiql/toolkit';
import { Kind, OperationTypeNode, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { withCurrentDocument } from './fetcher.js';

/** What the wrapped fetcher was asked. */
function recording(): { fetcher: Fetcher; calls: { params: FetcherParams; options?: FetcherOpts }[] } {
  const calls: { params: FetcherParams; options?: FetcherOpts }[] = [];
  return {
    calls,
    fetcher: (params, options) => {
      calls.push({ params, ...(options ? { options } : {}) });
      return Promise.resolve({ data: null });
    },
  };
}

const LIVE = 'subscription Live { eventAdded { id } }';
const TWO = 'query A { stats { totalEvents } } query B { stats { retention } }';

describe('withCurrentDocument', () => {
  it("replaces the previous tab's operation name and document by the sent text's", async () => {
    const { fetcher, calls } = recording();
    // What GraphiQL sends right after a switch from the `Then` tab to `Live`.
    await withCurrentDocument(fetcher)(
      { query: LIVE, operationName: 'Then' },
      { documentAST: parse('query Then { stats { totalEvents } }') },
    );
    expect(calls[0]?.params.operationName).toBe('Live');
    const operation = calls[0]?.options?.documentAST?.definitions[0] as OperationDefinitionNode;
    expect(operation.kind).toBe(Kind.OPERATION_DEFINITION);
    expect(operation.operation).toBe(OperationTypeNode.SUBSCRIPTION);
  });

  it('keeps a name the text has, and leaves the choice to the server when several remain', async () => {
    const { fetcher, calls } = recording();
    const run = withCurrentDocument(fetcher);
    await run({ query: TWO, operationName: 'B' });
    await run({ query: TWO, operationName: 'Then' });
    expect(calls.map(({ params }) => params.operationName)).toEqual(['B', null]);
  });

  it('passes text that is not GraphQL through unchanged, for the server to name the error', async () => {
    const { fetcher, calls } = recording();
    await withCurrentDocument(fetcher)({ query: 'query {', operationName: 'X' });
    expect(calls[0]?.params).toEqual({ query: 'query {', operationName: 'X' });
  });
});
