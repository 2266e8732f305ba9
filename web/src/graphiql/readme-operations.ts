import { Kind, parse, print } from 'graphql';

/** One example operation of the README, as the query IDE preloads it (one tab each). */
export interface ExampleOperation {
  /** The operation's name (`Recent`, `Live`, …): the tab's title. */
  name: string;
  /** The operation's text, formatted by graphql's printer. */
  query: string;
}

/** Matches a fenced ```graphql block of Markdown; group 1 is its body. */
const GRAPHQL_FENCE = /^```graphql[ \t]*\n([\s\S]*?)^```/gm;

/**
 * The named operations of every ```graphql block of `markdown`, in their order. The README is the one
 * source of the examples: the build reads them from it, so the IDE and the README cannot disagree.
 * Throws (naming the block) on a block that is not GraphQL or an operation without a name, since a tab
 * needs a title and a broken example should fail the build rather than reach a user.
 */
export function extractOperations(markdown: string): ExampleOperation[] {
  const operations: ExampleOperation[] = [];
  let block = 0;
  for (const match of markdown.matchAll(GRAPHQL_FENCE)) {
    block += 1;
    const document = parse(match[1] ?? '');
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = definition.name?.value;
      if (name === undefined)
        throw new Error(`README graphql block ${block}: every example operation needs a name`);
      operations.push({ name, query: print(definition) });
    }
  }
  return operations;
}
