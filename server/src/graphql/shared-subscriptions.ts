import { createRequire } from 'node:module';
import type {
  ExecutionArgs,
  ExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  OperationDefinitionNode,
  subscribe,
} from 'graphql';
import type { WebSocket } from 'ws';

// graphql ships CJS and ESM builds without an exports map: Node (and graphql-ws, @graphql-tools) load the
// CJS one, Vite's resolver the .mjs one, and a schema from one realm fails instanceof checks in the
// other. Requiring it pins the instance that built the schema, in production and under vitest alike.
const { subscribe: graphqlSubscribe } = createRequire(import.meta.url)('graphql') as {
  subscribe: typeof subscribe;
};

/** Why a shared subscription member was ended without being asked to. */
export class SlowSubscriberError extends Error {
  override name = 'SlowSubscriberError';
}

/** Where one graphql-ws subscription delivers: its socket and its operation id. */
export interface SubscriptionTarget {
  socket: WebSocket;
  id: string;
  /** (operationName, query, variables) as sent: subscribers with the same key share one execution. */
  key: string;
}

/** Options of {@link createSharedSubscriptions}. */
export interface SharedSubscriptionOptions<C extends object> {
  /** The context every shared execution runs with (the same object for all subscribers). */
  context: C;
  /** A member whose socket holds more than this many unsent bytes is ended (the others are not slowed). */
  maxBufferedBytes?: number;
  /** Formats execution errors before they are sent (default: `GraphQLError#toJSON`). */
  formatError?: (error: GraphQLError) => GraphQLFormattedError;
}

/** Default send-buffer cap per subscriber socket. */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * Shared subscription execution for graphql-ws: plug `context` and `subscribe` into `useServer`.
 * Subscriptions with the same (operationName, query, variables) form a group whose source stream is
 * subscribed and executed once per event; the result is serialized once and the same text is spliced
 * into every member's `next` message and written straight to its socket. graphql-ws still does the
 * protocol work (acknowledgement, ids, validation, `complete` in both directions, closing).
 * Executing per subscriber per event saturated a core at ~30k deliveries/s; this costs one execution per
 * distinct operation plus one socket write per subscriber.
 */
export interface SharedSubscriptions<C extends object> {
  /** The graphql-ws `context` option: a per-subscription context that remembers where to deliver. */
  context(socket: WebSocket, id: string, payload: SubscriptionPayload, own?: Partial<C>): C;
  /** The graphql-ws `subscribe` option. */
  subscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  /** Open subscriptions served by the fan-out (members of all groups). */
  memberCount(): number;
  /** Distinct executions running (groups). */
  groupCount(): number;
}

/** The part of a graphql-ws subscribe payload that identifies the operation. */
export interface SubscriptionPayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

interface Member {
  target: SubscriptionTarget;
  /** Ends graphql-ws's iteration for this member: normally, or with an error. */
  finish(error?: Error): void;
}

interface Group {
  key: string;
  members: Set<Member>;
  /** Resolves to the shared stream, or to a one-off result (errors) that every joiner gets alone. */
  ready: Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  stream: AsyncGenerator<ExecutionResult> | null;
  /** The delivery loop has started (by the first member to join, so that no result precedes it). */
  running: boolean;
  /** A result has been sent: a subscriber resuming from a position can no longer join exactly. */
  delivered: boolean;
  /** Finished or abandoned: joiners open a new group. */
  ended: boolean;
}

/**
 * Whether an operation resumes from a position: a root field given a non-null `after` (`eventAdded(after:)`).
 * Such a subscriber gets, from its group, every result the group sends from then on, which is exactly its
 * own only while the group has sent nothing (the replay from that position is still ahead).
 */
export function resumesFromPosition(args: ExecutionArgs): boolean {
  const operation = args.document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === 'OperationDefinition' &&
      (args.operationName == null || definition.name?.value === args.operationName),
  );
  if (!operation) return false;
  return operation.selectionSet.selections.some(
    (selection) =>
      selection.kind === 'Field' &&
      (selection.arguments ?? []).some((argument) => {
        if (argument.name.value !== 'after') return false;
        const { value } = argument;
        if (value.kind === 'NullValue') return false;
        if (value.kind !== 'Variable') return true;
        return args.variableValues?.[value.name.value] != null;
      }),
  );
}

/** ws keeps its net.Socket private; it is the only way to cork one subscriber's frames into one write. */
interface Corkable {
  cork(): void;
  uncork(): void;
}
const rawSocketOf = (socket: WebSocket): Corkable | null => {
  const raw = (socket as unknown as { _socket?: Partial<Corkable> | null })._socket;
  return raw && typeof raw.cork === 'function' && typeof raw.uncork === 'function' ? (raw as Corkable) : null;
};

const isStream = (
  value: AsyncGenerator<ExecutionResult> | ExecutionResult,
): value is AsyncGenerator<ExecutionResult> =>
  typeof (value as Partial<AsyncGenerator<ExecutionResult>>)[Symbol.asyncIterator] === 'function';

/** Creates the shared fan-out (see {@link SharedSubscriptions}). */
export function createSharedSubscriptions<C extends object>(
  options: SharedSubscriptionOptions<C>,
): SharedSubscriptions<C> {
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const formatError = options.formatError ?? ((error: GraphQLError) => error.toJSON());
  // Per-subscription contexts are fresh objects, so a WeakMap ties each to its delivery target.
  const targets = new WeakMap<object, SubscriptionTarget>();
  const groups = new Map<string, Group>();
  let members = 0;

  const serialize = (result: ExecutionResult): string => {
    const { errors, ...rest } = result;
    return JSON.stringify(errors ? { ...rest, errors: errors.map(formatError) } : rest);
  };

  // Every event of one group commit reaches the fan-out in the same microtask run. Uncorked, each frame
  // to each subscriber was its own writev (18% of the server's CPU with 5 subscribers under ingest load);
  // corked until the ticks of this run are done, a socket gets one write per commit instead.
  const corked = new Set<Corkable>();
  const uncorkAll = (): void => {
    for (const raw of corked) raw.uncork();
    corked.clear();
  };
  const cork = (socket: WebSocket): void => {
    const raw = rawSocketOf(socket);
    if (!raw || corked.has(raw)) return;
    if (corked.size === 0) process.nextTick(uncorkAll);
    raw.cork();
    corked.add(raw);
  };

  const deliver = (member: Member, payloadJson: string): void => {
    const { socket, id } = member.target;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > maxBufferedBytes) {
      member.finish(new SlowSubscriberError(`subscriber fell more than ${maxBufferedBytes} bytes behind`));
      return;
    }
    cork(socket);
    // Same key order as graphql-ws's own messages; only the id differs between members.
    socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`);
  };

  const leave = (group: Group, member: Member): void => {
    if (!group.members.delete(member)) return;
    members--;
    if (group.members.size === 0) {
      group.ended = true;
      // A group a resuming subscriber replaced is no longer in the map, but its stream is closed all the same.
      if (groups.get(group.key) === group) groups.delete(group.key);
      // Closing the stream now (not at its next event) frees the live subscription at once.
      void group.stream?.return(undefined);
    }
  };

  const run = async (group: Group, stream: AsyncGenerator<ExecutionResult>): Promise<void> => {
    try {
      for await (const result of stream) {
        if (group.members.size === 0) break;
        const payloadJson = serialize(result);
        group.delivered = true;
        for (const member of [...group.members]) deliver(member, payloadJson);
      }
      for (const member of [...group.members]) member.finish();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const member of [...group.members]) member.finish(failure);
    } finally {
      group.ended = true;
      if (groups.get(group.key) === group) groups.delete(group.key);
    }
  };

  const openGroup = (key: string, args: ExecutionArgs): Group => {
    const group: Group = {
      key,
      members: new Set(),
      ready: Promise.resolve({}),
      stream: null,
      running: false,
      delivered: false,
      ended: false,
    };
    // One execution context for the whole group: the first subscriber's args minus its own context.
    group.ready = Promise.resolve(graphqlSubscribe({ ...args, contextValue: options.context })).then(
      (outcome) => {
        if (isStream(outcome)) {
          group.stream = outcome;
        } else {
          // Errors (bad variables, a throwing subscribe resolver) are not shared: the next joiner retries.
          group.ended = true;
          if (groups.get(key) === group) groups.delete(key);
        }
        return outcome;
      },
    );
    // Replaces a group a resuming subscriber could not join; that one runs on for its members.
    groups.set(key, group);
    return group;
  };

  const join = (group: Group, target: SubscriptionTarget): AsyncGenerator<ExecutionResult> => {
    let settle: ((result: IteratorResult<ExecutionResult>) => void) | null = null;
    let fail: ((error: Error) => void) | null = null;
    let ended: { error?: Error } | null = null;
    const member: Member = {
      target,
      finish(error) {
        if (ended) return;
        ended = error ? { error } : {};
        leave(group, member);
        if (error) fail?.(error);
        else settle?.({ value: undefined, done: true });
      },
    };
    group.members.add(member);
    members++;
    // Results never flow through this iterator (they go straight to the socket): it only carries the end.
    const iterator: AsyncGenerator<ExecutionResult> = {
      next() {
        if (ended)
          return ended.error
            ? Promise.reject(ended.error)
            : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          settle = resolve;
          fail = reject;
        });
      },
      return() {
        member.finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw(error: unknown) {
        member.finish();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  };

  async function subscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    const target =
      typeof args.contextValue === 'object' && args.contextValue !== null
        ? targets.get(args.contextValue)
        : undefined;
    // Not from our graphql-ws context: plain per-subscriber execution.
    if (!target) return graphqlSubscribe(args);
    const resumes = resumesFromPosition(args);
    const joinable = (group: Group) => !group.ended && !(resumes && group.delivered);
    const existing = groups.get(target.key);
    const group = existing && joinable(existing) ? existing : openGroup(target.key, args);
    const outcome = await group.ready;
    if (!isStream(outcome)) return outcome;
    // The group ended (or, for a resuming subscriber, sent something) while this one waited: start or
    // join another.
    if (!joinable(group)) return subscribe(args);
    const iterator = join(group, target);
    if (!group.running) {
      // Started by the first member, after it joined: every subscriber waiting on `ready` joins in the
      // same microtask run, before the stream can produce its first result.
      group.running = true;
      void run(group, outcome);
    }
    return iterator;
  }

  return {
    context(socket, id, payload, own) {
      // `own`: what is this connection's (its credential's role); the shared runs use options.context.
      const context = { ...options.context, ...own };
      const key = JSON.stringify([payload.operationName ?? null, payload.query, payload.variables ?? null]);
      targets.set(context, { socket, id, key });
      return context;
    },
    subscribe,
    memberCount: () => members,
    groupCount: () => groups.size,
  };
}
