import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { msToDateTime } from '../api/datetime.js';
import { parseRfc3339 } from '../shared/time.js';

function checkDateTime(value: unknown): string {
  if (typeof value !== 'string') throw new GraphQLError('DateTime: must be a string');
  const parsed = parseRfc3339(value);
  if (!parsed.ok) throw new GraphQLError(`DateTime: ${parsed.message}`);
  return value;
}

/** RFC 3339 date-time with a time zone; values stay strings, resolvers convert. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (typeof value === 'number' ? msToDateTime(value) : checkDateTime(value)),
  parseValue: checkDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime: must be a string', { nodes: ast });
    return checkDateTime(ast.value);
  },
});

function literalToJson(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((item) => literalToJson(item, variables));
    case Kind.OBJECT: {
      const object: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const field of ast.fields) object[field.name.value] = literalToJson(field.value, variables);
      return object;
    }
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    case Kind.ENUM:
      return ast.value;
    default: {
      const never: never = ast;
      throw new GraphQLError(`JSON: unexpected literal ${String(never)}`);
    }
  }
}

/** Any JSON value. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalToJson(ast, variables),
});
