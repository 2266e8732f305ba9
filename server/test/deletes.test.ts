import { describe, expect } from 'vitest';
import { ErrorCode } from '../src/api/errors.js';
import { useTestServer } from './helpers/fixtures.js';
import { collect, connected, postCreated, wsClient } from './helpers/server.js';

// Deletes through the real doors: GraphQL over HTTP and graphql-ws on a real server, checked by what a
// dashboard reads next (events, counts, stats, folds, search) and by what another dashboard is told.

const FULL_TOKEN = 'full-access-token-0123456789';
const READONLY_TOKEN = 'read-only-token-0123456789';

const open = useTestServer();
const readonlyRefused = useTestServer({
  env: { AUTH_TOKEN: FULL_TOKEN, AUTH_READONLY_TOKENS: `${READONLY_TOKEN},another-read-only-token-01` },
});
const readonlyMayDelete = useTestServer({
  env: { AUTH_TOKEN: FULL_TOKEN, AUTH_READONLY_TOKENS: READONLY_TOKEN, READONLY_MAY_DELETE: 'true' },
});

interface GraphqlAnswer<T> {
  data: T | null;
  errors?: { message: string; extensions?: { code?: string; argument?: string } }[];
}

/** POSTs a GraphQL operation, with a bearer token when given. */
async function gql<T = Record<string, unknown>>(
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphqlAnswer<T>> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlAnswer<T>;
}

/** The data of an operation that must succeed. */
async function ok<T = Record<string, unknown>>(
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const answer = await gql<T>(base, query, variables, token);
  expect(answer.errors).toBeUndefined();
  return answer.data as T;
}

const REPORT = 'eventCount eventIds entityIds';
const DELETE_ONE = `mutation($id: ID!) { deleteEvent(id: $id) { ${REPORT} } }`;
const DELETE_MATCHING = `mutation($filter: EventFilter!) { deleteEvents(filter: $filter) { ${REPORT} } }`;
const CLEAR = `mutation { clearEvents { ${REPORT} } }`;
const STATS = '{ stats { totalEvents totalEntities byEntityType { entityType count } } }';
const COUNT =
  'query($filter: EventFilter) { events(filter: $filter, first: 100) { totalCount edges { node { id } } } }';
const ENTITY = 'query($id: ID!) { entity(id: $id) { state version events { totalCount } } }';

interface Report {
  eventCount: number;
  eventIds: string[] | null;
  entityIds: string[] | null;
}
interface Listed {
  events: { totalCount: number; edges: { node: { id: string } }[] };
}

/** Posts the life of one entity: created, then two updates of different fields. */
async function entityLife(base: string, entityType: string, entityId: string): Promise<string[]> {
  return [
    await postCreated(base, {
      action: 'create',
      entity_type: entityType,
      time: '2024-01-01T00:00:00Z',
      payload: { id: entityId, name: 'first', note: `created ${entityId}` },
    }),
    await postCreated(base, {
      action: 'update',
      entity_type: entityType,
      time: '2024-01-01T00:01:00Z',
      id: entityId,
      modified_fields: ['color'],
      payload: { color: `middle-color-${entityId}` },
    }),
    await postCreated(base, {
      action: 'update',
      entity_type: entityType,
      time: '2024-01-01T00:02:00Z',
      id: entityId,
      modified_fields: ['name'],
      payload: { name: 'last' },
    }),
  ];
}

/** Events of a type, as the stream lists and counts them. */
async function listedOfType(base: string, entityType: string, token?: string): Promise<Listed['events']> {
  return (await ok<Listed>(base, COUNT, { filter: { entityType } }, token)).events;
}

describe('deletes (no auth)', () => {
  const it = open;

  it('deletes one event from the middle: another dashboard is told, the fold drops it at once, counts and search follow', async ({
    t,
  }) => {
    const [, middle, last] = await entityLife(t.url, 'del-one', 'ent-del-one');
    // Folded (and cached) first: the cache must not survive the delete.
    const before = await ok<{ entity: { state: Record<string, unknown>; version: number } }>(t.url, ENTITY, {
      id: 'ent-del-one',
    });
    expect(before.entity.state.color).toBe('middle-color-ent-del-one');
    expect(before.entity.version).toBe(3);
    const statsBefore = await ok<{ stats: { totalEvents: number } }>(t.url, STATS);

    const watcher = wsClient(t.wsUrl);
    await connected(watcher);
    const deleted = collect<{ eventsDeleted: Report }>(
      watcher,
      `subscription { eventsDeleted { ${REPORT} } }`,
    );
    try {
      await expect.poll(() => t.server.subscriberCount('eventsDeleted')).toBe(1);
      const report = await ok<{ deleteEvent: Report }>(t.url, DELETE_ONE, { id: middle });
      expect(report.deleteEvent).toEqual({ eventCount: 1, eventIds: [middle], entityIds: ['ent-del-one'] });
      expect((await deleted.next()).eventsDeleted).toEqual(report.deleteEvent);
    } finally {
      deleted.dispose();
      await watcher.dispose();
    }

    const after = await ok<{
      entity: { state: Record<string, unknown>; version: number; events: { totalCount: number } };
    }>(t.url, ENTITY, { id: 'ent-del-one' });
    expect(after.entity.state).not.toHaveProperty('color');
    expect(after.entity.state.name).toBe('last');
    expect(after.entity.version).toBe(2);
    expect(after.entity.events.totalCount).toBe(2);
    // REST folds from the same cache.
    const rest = (await (await fetch(`${t.url}/entities/ent-del-one`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(rest)).not.toContain('middle-color');
    expect(await ok(t.url, 'query($id: ID!) { event(id: $id) { id } }', { id: middle })).toEqual({
      event: null,
    });
    const listed = await listedOfType(t.url, 'del-one');
    expect(listed.totalCount).toBe(2);
    expect(listed.edges.map((edge) => edge.node.id)).toContain(last);
    const statsAfter = await ok<{ stats: { totalEvents: number } }>(t.url, STATS);
    expect(statsAfter.stats.totalEvents).toBe(statsBefore.stats.totalEvents - 1);
    const searched = await ok<Listed>(t.url, COUNT, { filter: { search: 'middle-color-ent-del-one' } });
    expect(searched.events.totalCount).toBe(0);

    // The same id again: gone, so NOT_FOUND naming the argument.
    const again = await gql(t.url, DELETE_ONE, { id: middle });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.NOT_FOUND, argument: 'id' });
    expect(again.errors?.[0]?.message).toContain(`"${middle}"`);
  });

  it('deletes every event matching a filter (search included): counts, stats and entities exact, the rest kept', async ({
    t,
  }) => {
    await entityLife(t.url, 'del-many', 'ent-del-a');
    await entityLife(t.url, 'del-many', 'ent-del-b');
    const kept = await entityLife(t.url, 'del-keep', 'ent-keep');
    const bySearch = await ok<{ deleteEvents: Report }>(t.url, DELETE_MATCHING, {
      filter: { entityType: 'del-many', search: 'MIDDLE-COLOR' },
    });
    expect(bySearch.deleteEvents.eventCount).toBe(2);
    expect((await listedOfType(t.url, 'del-many')).totalCount).toBe(4);

    const byType = await ok<{ deleteEvents: Report }>(t.url, DELETE_MATCHING, {
      filter: { entityType: 'del-many' },
    });
    expect(byType.deleteEvents.eventCount).toBe(4);
    expect([...(byType.deleteEvents.entityIds ?? [])].sort()).toEqual(['ent-del-a', 'ent-del-b']);
    expect((await listedOfType(t.url, 'del-many')).totalCount).toBe(0);
    expect(await ok(t.url, ENTITY, { id: 'ent-del-a' })).toEqual({ entity: null });
    const stats = await ok<{ stats: { byEntityType: { entityType: string; count: number }[] } }>(
      t.url,
      STATS,
    );
    expect(stats.stats.byEntityType.find((row) => row.entityType === 'del-many')).toBeUndefined();
    expect(stats.stats.byEntityType.find((row) => row.entityType === 'del-keep')?.count).toBe(3);
    expect((await listedOfType(t.url, 'del-keep')).edges.map((edge) => edge.node.id).sort()).toEqual(
      [...kept].sort(),
    );
  });

  it('refuses bad input with a code and the argument: an empty filter, a bad date, an empty id', async ({
    t,
  }) => {
    for (const filter of [{}, { entityType: '', search: '' }]) {
      const answer = await gql(t.url, DELETE_MATCHING, { filter });
      expect(answer.errors?.[0]?.extensions).toMatchObject({
        code: ErrorCode.BAD_USER_INPUT,
        argument: 'filter',
      });
      expect(answer.errors?.[0]?.message).toContain('clearEvents');
    }
    const badDate = await gql(t.url, DELETE_MATCHING, { filter: { since: 'yesterday' } });
    // The DateTime scalar refuses it while reading the variables; the message names the field.
    expect(badDate.errors?.[0]?.extensions?.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(badDate.errors?.[0]?.message).toContain('since');
    const emptyId = await gql(t.url, DELETE_ONE, { id: ' ' });
    expect(emptyId.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, argument: 'id' });
    // Nothing was deleted by any of them.
    expect((await listedOfType(t.url, 'del-keep')).totalCount).toBe(3);
  });

  it('clears every event: nothing listed, counted or folded; a redelivered webhook-id is stored again', async ({
    t,
  }) => {
    const body = {
      action: 'create',
      entity_type: 'del-clear',
      time: '2024-01-01T00:00:00Z',
      payload: { id: 'ent-clear', name: 'x' },
    };
    const first = await postCreated(t.url, body, { 'webhook-id': 'msg_cleared_once' });
    const report = await ok<{ clearEvents: Report }>(t.url, CLEAR);
    expect(report.clearEvents.eventCount).toBeGreaterThanOrEqual(4);
    expect(report.clearEvents.eventIds).toContain(first);
    expect(await ok(t.url, STATS)).toEqual({ stats: { totalEvents: 0, totalEntities: 0, byEntityType: [] } });
    expect((await ok<Listed>(t.url, COUNT)).events.totalCount).toBe(0);
    expect(await ok(t.url, ENTITY, { id: 'ent-keep' })).toEqual({ entity: null });
    // The sender retries after the clear: a new event, not a duplicate of a deleted one.
    const second = await postCreated(t.url, body, { 'webhook-id': 'msg_cleared_once' });
    expect(second).not.toBe(first);
    expect((await ok<Listed>(t.url, COUNT)).events.totalCount).toBe(1);
    // Nothing to clear: a report of zero.
    await ok(t.url, CLEAR);
    expect(await ok(t.url, CLEAR)).toEqual({ clearEvents: { eventCount: 0, eventIds: [], entityIds: [] } });
  });
});

describe('AUTH_READONLY_TOKENS (READONLY_MAY_DELETE unset)', () => {
  const it = readonlyRefused;

  it('lets a read-only token read but refuses every change (FORBIDDEN), over HTTP and graphql-ws', async ({
    t,
  }) => {
    const id = await postCreated(t.url, {
      action: 'create',
      entity_type: 'ro',
      time: '2024-01-01T00:00:00Z',
      payload: { id: 'ent-ro' },
    });
    expect((await listedOfType(t.url, 'ro', READONLY_TOKEN)).totalCount).toBe(1);
    for (const [query, variables, field] of [
      [DELETE_ONE, { id }, 'deleteEvent'],
      [DELETE_MATCHING, { filter: { entityType: 'ro' } }, 'deleteEvents'],
      [CLEAR, {}, 'clearEvents'],
      ['mutation { generateMockEvents(count: 1) { id } }', {}, 'generateMockEvents'],
    ] as const) {
      const answer = await gql(t.url, query, variables, READONLY_TOKEN);
      expect(answer.errors?.[0]?.extensions?.code).toBe(ErrorCode.FORBIDDEN);
      expect(answer.errors?.[0]?.message).toMatch(new RegExp(`^${field}: a read-only credential`));
    }
    // No credential at all: the reader guard answers 401 before GraphQL runs.
    expect((await fetch(`${t.url}/graphql`, { method: 'POST' })).status).toBe(401);

    // graphql-ws: the same credential in connectionParams, the same refusal.
    const socket = wsClient(t.wsUrl, { authToken: READONLY_TOKEN });
    try {
      const refused = await new Promise<unknown>((resolve) => {
        socket.subscribe(
          { query: DELETE_ONE, variables: { id } },
          { next: resolve, error: resolve, complete: () => undefined },
        );
      });
      expect(JSON.stringify(refused)).toContain(ErrorCode.FORBIDDEN);
    } finally {
      await socket.dispose();
    }
    expect((await listedOfType(t.url, 'ro', READONLY_TOKEN)).totalCount).toBe(1);

    // The full token may, over graphql-ws too.
    const full = wsClient(t.wsUrl, { authToken: FULL_TOKEN });
    try {
      const done = await new Promise<{ data?: { deleteEvent?: Report } }>((resolve) => {
        full.subscribe<{ deleteEvent: Report }>(
          { query: DELETE_ONE, variables: { id } },
          {
            next: (value) => resolve(value as { data?: { deleteEvent?: Report } }),
            error: resolve,
            complete: () => undefined,
          },
        );
      });
      expect(done.data?.deleteEvent?.eventCount).toBe(1);
    } finally {
      await full.dispose();
    }
    expect((await listedOfType(t.url, 'ro', FULL_TOKEN)).totalCount).toBe(0);
  });
});

describe('AUTH_READONLY_TOKENS through the sign-in form', () => {
  const it = readonlyRefused;

  it('keeps the read-only role in the session cookie: reads pass, deletes are FORBIDDEN', async ({ t }) => {
    const login = await fetch(`${t.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: READONLY_TOKEN }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const post = (query: string) =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ query }),
      }).then((response) => response.json() as Promise<GraphqlAnswer<Record<string, unknown>>>);
    expect((await post(STATS)).errors).toBeUndefined();
    const refused = await post(CLEAR);
    expect(refused.errors?.[0]?.extensions?.code).toBe(ErrorCode.FORBIDDEN);
  });
});

describe('AUTH_READONLY_TOKENS with READONLY_MAY_DELETE=true', () => {
  const it = readonlyMayDelete;

  it('lets a read-only token delete, still not change anything else', async ({ t }) => {
    const id = await postCreated(t.url, {
      action: 'create',
      entity_type: 'ro-del',
      time: '2024-01-01T00:00:00Z',
      payload: { id: 'ent-ro-del' },
    });
    const report = await ok<{ deleteEvent: Report }>(t.url, DELETE_ONE, { id }, READONLY_TOKEN);
    expect(report.deleteEvent.eventCount).toBe(1);
    const mock = await gql(t.url, 'mutation { generateMockEvents(count: 1) { id } }', {}, READONLY_TOKEN);
    expect(mock.errors?.[0]?.extensions?.code).toBe(ErrorCode.FORBIDDEN);
    expect(
      (
        await ok<{ generateMockEvents: unknown[] }>(
          t.url,
          'mutation { generateMockEvents(count: 1) { id } }',
          {},
          FULL_TOKEN,
        )
      ).generateMockEvents,
    ).toHaveLength(1);
  });
});
