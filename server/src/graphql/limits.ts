import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  getNamedType,
  isInterfaceType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ASTVisitor,
} from 'graphql';
import { ErrorCode } from '../api/errors.js';
import { DEFAULT_PAGE_SIZE } from '../api/pagination.js';

/** The limits every GraphQL operation is held to, over HTTP and graphql-ws alike. */
export interface GraphQLLimits {
  introspection: boolean;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
}

/** The error of an operation refused by a limit (QUERY_LIMIT_EXCEEDED); the message names the setting. */
export function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_LIMIT_EXCEEDED } });
}

// Introspection fields are bounded by the schema itself (and can be switched off): Sandbox's own deep
// introspection query must not trip the depth or cost limit meant for data queries.
const isIntrospection = (field: FieldNode): boolean => field.name.value.startsWith('__');

function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * A validation rule that measures each operation's selections and refuses those over `limit`. Fragment
 * spreads are followed once per path (a cycle is reported by NoFragmentCyclesRule; here it must only not
 * loop); `onField` values a field given the lazily measured value below it, `combine` joins siblings, and
 * a set stops early once over the limit (aliases of aliases through fragments can multiply without end).
 */
function selectionLimitRule(
  limit: number,
  onField: (field: FieldNode, below: () => number) => number,
  combine: (a: number, b: number) => number,
  message: (value: number) => string,
): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context);
    const visiting = new Set<string>();
    const measure = (set: SelectionSetNode): number => {
      let total = 0;
      for (const selection of set.selections) {
        let value: number;
        if (selection.kind === Kind.FIELD) {
          const below = selection.selectionSet;
          value = onField(selection, () => (below ? measure(below) : 0));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          value = measure(selection.selectionSet);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue;
          visiting.add(name);
          value = measure(fragment.selectionSet);
          visiting.delete(name);
        }
        total = combine(total, value);
        if (total > limit) return total;
      }
      return total;
    };
    return {
      OperationDefinition(operation) {
        const value = measure(operation.selectionSet);
        if (value > limit) context.reportError(limitError(message(value)));
      },
    };
  };
}

/** Refuses operations whose selections nest deeper than `maxDepth` fields (fragments followed). */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return selectionLimitRule(
    maxDepth,
    (field, below) => (isIntrospection(field) ? 0 : 1 + below()),
    Math.max,
    (depth) => `query depth ${depth} exceeds the limit of ${maxDepth} (GRAPHQL_MAX_DEPTH)`,
  );
}

/** Refuses operations that use more than `maxAliases` aliases (counted through fragments, once per use). */
export function aliasLimitRule(maxAliases: number): ValidationRule {
  return selectionLimitRule(
    maxAliases,
    (field, below) => (field.alias ? 1 : 0) + below(),
    (a, b) => a + b,
    () => `the operation uses more than ${maxAliases} aliases (GRAPHQL_MAX_ALIASES)`,
  );
}

/** The validation rules added to graphql's own, for Apollo (`validationRules`) and graphql-ws alike. */
export function limitRules(limits: GraphQLLimits): ValidationRule[] {
  const rules = [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)];
  if (!limits.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** The page a list field asks for: its `first` argument, as a literal, a variable (given or defaulted),
 * or the default page size. */
function pageOf(
  field: FieldNode,
  variables: Record<string, unknown> | null | undefined,
  defaults: ReadonlyMap<string, unknown>,
): number {
  const argument = field.arguments?.find((a) => a.name.value === 'first');
  if (!argument) return DEFAULT_PAGE_SIZE;
  const value = argument.value;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    const given = variables?.[name] ?? defaults.get(name);
    return typeof given === 'number' && Number.isFinite(given) ? given : DEFAULT_PAGE_SIZE;
  }
  return DEFAULT_PAGE_SIZE;
}

/**
 * Estimated cost of an operation: 1 per field, a list field with a `first` argument multiplies what it
 * selects by that many (the variable's value, its default, or the default page size). Runs after
 * validation, with the variables, so `first: $n` cannot hide a large page.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | null = null;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName)
    ) {
      operation ??= definition;
    }
  }
  if (!operation) return 0;
  const defaults = new Map<string, unknown>();
  for (const variable of operation.variableDefinitions ?? []) {
    const value = variable.defaultValue;
    if (value?.kind === Kind.INT) defaults.set(variable.variable.name.value, Number(value.value));
  }
  const costOf = (set: SelectionSetNode, type: GraphQLNamedType, visiting: Set<string>): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (isIntrospection(selection)) continue;
        const field =
          isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
        if (!field) continue;
        let below = 0;
        if (selection.selectionSet) {
          below = costOf(selection.selectionSet, getNamedType(field.type), visiting);
          if (field.args.some((a) => a.name === 'first'))
            below *= Math.max(1, pageOf(selection, variables, defaults));
        }
        cost += 1 + below;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        cost += costOf(selection.selectionSet, condition ?? type, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        cost += costOf(
          fragment.selectionSet,
          schema.getType(fragment.typeCondition.name.value) ?? type,
          visiting,
        );
        visiting.delete(name);
      }
    }
    return cost;
  };
  const root = schema.getRootType(operation.operation);
  return root ? costOf(operation.selectionSet, root, new Set()) : 0;
}

/** The error for an operation over the cost limit, or null. */
export function costError(cost: number, maxCost: number): GraphQLError | null {
  return cost > maxCost
    ? limitError(`query cost ${cost} exceeds the limit of ${maxCost} (GRAPHQL_MAX_COST)`)
    : null;
}

/** A parsed, validated, costed operation for graphql-ws, or the errors to send back instead. */
export function prepareOperation(
  schema: GraphQLSchema,
  limits: GraphQLLimits,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return {
      errors: [error instanceof GraphQLError ? error : new GraphQLError('the query could not be parsed')],
    };
  }
  const errors = validate(schema, document, [...specifiedRules, ...limitRules(limits)]);
  if (errors.length > 0) return { errors: [...errors] };
  const tooCostly = costError(
    operationCost(schema, document, payload.operationName, payload.variables),
    limits.maxCost,
  );
  return tooCostly ? { errors: [tooCostly] } : { document };
}

/** The limits as configured (the GRAPHQL_* variables). */
export function graphqlLimits(config: {
  graphqlIntrospection: boolean;
  graphqlMaxDepth: number;
  graphqlMaxAliases: number;
  graphqlMaxTokens: number;
  graphqlMaxCost: number;
}): GraphQLLimits {
  return {
    introspection: config.graphqlIntrospection,
    maxDepth: config.graphqlMaxDepth,
    maxAliases: config.graphqlMaxAliases,
    maxTokens: config.graphqlMaxTokens,
    maxCost: config.graphqlMaxCost,
  };
}
