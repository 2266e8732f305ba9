import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, OperationTypeNode, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import operations from 'virtual:readme-operations';
import { extractOperations } from './readme-operations.js';

const read = (path: string): string => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
const schema = buildSchema(read('../../../schema.graphql'));

describe("the query IDE's preloaded operations", () => {
  it('are the README examples, as the build module gives them to the page', () => {
    expect(operations).toEqual(extractOperations(read('../../../README.md')));
    expect(operations.map(({ name }) => name)).toEqual(['Recent', 'Then', 'Live']);
  });

  it.each(operations.map((operation) => [operation.name, operation.query] as const))(
    '%s is valid against schema.graphql',
    (_name, query) => {
      expect(validate(schema, parse(query)).map((error) => error.message)).toEqual([]);
    },
  );

  it('include a subscription, for the live answer over graphql-ws', () => {
    const kinds = operations.map(
      ({ query }) => (parse(query).definitions[0] as OperationDefinitionNode).operation,
    );
    expect(kinds).toContain(OperationTypeNode.SUBSCRIPTION);
  });

  it('refuses an unnamed example: a tab needs a title', () => {
    expect(() => extractOperations('```graphql\n{ stats { totalEvents } }\n```\n')).toThrow(/needs a name/);
  });
});
