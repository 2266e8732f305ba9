import { describe, expect } from 'vitest';
import {
  CREATED_AFTER_DELETE_WARNING,
  MISSING_MODIFIED_FIELDS_WARNING,
  OUT_OF_ORDER_WARNING,
  entityTypeChangedWarning,
  modifiedFieldNotInPayloadWarning,
  noRetainedCreateWarning,
  repeatedDeliveryWarning,
} from '../src/domain/fold.js';
import { useTestServer } from './helpers/fixtures.js';
import { EXAMPLE_CREATE, EXAMPLE_UPDATE, graphql, postCreated, type TestServer } from './helpers/server.js';

const it = useTestServer();

const ENTITY_QUERY = `query($id: ID!, $at: DateTime!) {
  entity(id: $id) {
    id entityType state deleted complete version createdAt updatedAt warnings
    stateAt(time: $at)
    events(first: 10) { totalCount edges { node { action time changes { field before after } warnings } } }
  }
}`;

interface EntityResult {
  entity: {
    id: string;
    entityType: string;
    state: Record<string, unknown> | null;
    deleted: boolean;
    complete: boolean;
    version: number;
    createdAt: string | null;
    updatedAt: string;
    warnings: string[];
    stateAt: Record<string, unknown> | null;
    events: {
      totalCount: number;
      edges: {
        node: {
          action: string;
          time: string;
          changes: { field: string; before: unknown; after: unknown }[];
          warnings: string[];
        };
      }[];
    };
  } | null;
}

async function entity(t: TestServer, id: string, at = '2030-01-01T00:00:00Z') {
  const result = await graphql<EntityResult>(t.url, ENTITY_QUERY, { id, at });
  expect(result.errors).toBeUndefined();
  return result.data.entity;
}

describe('the fold', () => {
  it('folds create, update and delete into the state, with changes per event and time travel', async ({
    t,
  }) => {
    const id = 'fold-1';
    await postCreated(t.url, {
      action: 'create',
      entity_type: 'task',
      time: '2024-01-01T10:00:00Z',
      payload: { id, name: 'a', status: 'open' },
    });
    await postCreated(t.url, {
      action: 'update',
      entity_type: 'task',
      time: '2024-01-02T10:00:00Z',
      id,
      modified_fields: ['status'],
      payload: { status: 'done' },
    });
    const e = await entity(t, id, '2024-01-01T12:00:00Z');
    expect(e).toMatchObject({
      id,
      entityType: 'task',
      state: { id, name: 'a', status: 'done' },
      deleted: false,
      complete: true,
      version: 2,
      createdAt: '2024-01-01T10:00:00.000Z',
      updatedAt: '2024-01-02T10:00:00.000Z',
      stateAt: { id, name: 'a', status: 'open' },
      warnings: [],
    });
    expect(e?.events.edges[1]?.node.changes).toEqual([{ field: 'status', before: 'open', after: 'done' }]);

    await postCreated(t.url, {
      action: 'delete',
      entity_type: 'task',
      time: '2024-01-03T10:00:00Z',
      id,
      payload: {},
    });
    const deleted = await entity(t, id);
    expect(deleted).toMatchObject({ deleted: true, version: 3, state: { status: 'done' } });
    const aggregate = (await (await fetch(`${t.url}/aggregates/${id}`)).json()) as Record<string, unknown>;
    expect(aggregate).toMatchObject({ id, deleted: true, version: 3, complete: true });
    const history = (await (await fetch(`${t.url}/entities/${id}`)).json()) as {
      events: { action: string }[];
    };
    expect(history.events.map((event) => event.action)).toEqual(['create', 'update', 'delete']);
  });

  it('orders by event time, not arrival, and warns about the late one', async ({ t }) => {
    const id = 'fold-order';
    await postCreated(t.url, {
      action: 'create',
      entity_type: 'note',
      time: '2024-01-01T00:00:00Z',
      payload: { id, text: 'v1' },
    });
    await postCreated(t.url, {
      action: 'update',
      entity_type: 'note',
      time: '2024-01-03T00:00:00Z',
      id,
      modified_fields: ['text'],
      payload: { text: 'v3' },
    });
    await postCreated(t.url, {
      action: 'update',
      entity_type: 'note',
      time: '2024-01-02T00:00:00Z',
      id,
      modified_fields: ['text'],
      payload: { text: 'v2' },
    });
    const e = await entity(t, id);
    expect(e?.state).toMatchObject({ text: 'v3' });
    expect(e?.events.edges.map((edge) => edge.node.time)).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-02T00:00:00.000Z',
      '2024-01-03T00:00:00.000Z',
    ]);
    expect(e?.events.edges[1]?.node.warnings).toContain(OUT_OF_ORDER_WARNING);
    expect(e?.warnings).toContain(OUT_OF_ORDER_WARNING);
  });

  it('warns about an update with no retained create, missing modified_fields and fields not in the payload', async ({
    t,
  }) => {
    const id = 'fold-orphan';
    await postCreated(t.url, {
      action: 'update',
      entity_type: 'task',
      time: '2024-01-01T00:00:00Z',
      id,
      payload: { a: 1 },
    });
    await postCreated(t.url, {
      action: 'update',
      entity_type: 'task',
      time: '2024-01-02T00:00:00Z',
      id,
      modified_fields: ['b'],
      payload: { a: 2 },
    });
    const e = await entity(t, id);
    expect(e?.complete).toBe(false);
    expect(e?.events.edges[0]?.node.warnings).toEqual(
      expect.arrayContaining([noRetainedCreateWarning('update'), MISSING_MODIFIED_FIELDS_WARNING]),
    );
    expect(e?.events.edges[1]?.node.warnings).toContain(modifiedFieldNotInPayloadWarning('b'));
  });

  it('warns about the examples sharing one id across component and task', async ({ t }) => {
    const id = 'shared-id-1';
    await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { ...EXAMPLE_CREATE.payload, id } });
    await postCreated(t.url, { ...EXAMPLE_UPDATE, id });
    const e = await entity(t, id);
    expect(e?.entityType).toBe('task');
    expect(e?.events.edges[1]?.node.warnings).toContain(entityTypeChangedWarning('task', ['component']));
  });

  it('warns about a repeated delivery (identical body without a webhook-id) and a create after a delete', async ({
    t,
  }) => {
    const id = 'fold-repeat';
    const create = { action: 'create', entity_type: 'asset', time: '2024-01-01T00:00:00Z', payload: { id } };
    await postCreated(t.url, create);
    await postCreated(t.url, create);
    await postCreated(t.url, {
      action: 'delete',
      entity_type: 'asset',
      time: '2024-01-02T00:00:00Z',
      id,
      payload: {},
    });
    await postCreated(t.url, {
      action: 'create',
      entity_type: 'asset',
      time: '2024-01-03T00:00:00Z',
      payload: { id, again: true },
    });
    const e = await entity(t, id);
    expect(e?.events.edges[1]?.node.warnings).toContain(repeatedDeliveryWarning(null));
    expect(e?.events.edges[3]?.node.warnings).toContain(CREATED_AFTER_DELETE_WARNING);
    expect(e).toMatchObject({ deleted: false, state: { id, again: true } });
  });

  it('answers null for an unknown entity and for a time before its first event', async ({ t }) => {
    expect(await entity(t, 'never-seen')).toBeNull();
    const e = await entity(t, 'fold-1', '2000-01-01T00:00:00Z');
    expect(e?.stateAt).toBeNull();
  });
});

describe('lists, filters and pagination', () => {
  const prefix = `list-${Date.now()}`;
  it.beforeAll(async ({ t }) => {
    for (let i = 0; i < 7; i++) {
      await postCreated(t.url, {
        action: 'create',
        entity_type: i % 2 === 0 ? 'even_thing' : 'odd_thing',
        time: '2024-05-01T00:00:00Z',
        payload: { id: `${prefix}-${i}`, title: i === 3 ? 'Needle In Haystack' : `item ${i}` },
      });
    }
  });

  interface Page {
    events: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: { entityId: string } }[];
    };
  }
  const LIST = `query($filter: EventFilter, $first: Int, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { entityId } }
    }
  }`;

  it('pages newest first through every event of a filter exactly once', async ({ t }) => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const result: { data: Page } = await graphql<Page>(t.url, LIST, {
        filter: { entityType: 'even_thing' },
        first: 2,
        after,
      });
      seen.push(...result.data.events.edges.map((edge) => edge.node.entityId));
      expect(result.data.events.totalCount).toBe(4);
      if (!result.data.events.pageInfo.hasNextPage) break;
      after = result.data.events.pageInfo.endCursor;
    }
    expect(seen).toEqual([`${prefix}-6`, `${prefix}-4`, `${prefix}-2`, `${prefix}-0`]);
  });

  it('filters by action, entity id, free text and received time', async ({ t }) => {
    const byId = await graphql<Page>(t.url, LIST, { filter: { entityId: `${prefix}-5` } });
    expect(byId.data.events.edges.map((e) => e.node.entityId)).toEqual([`${prefix}-5`]);
    const search = await graphql<Page>(t.url, LIST, { filter: { search: 'needle in' } });
    expect(search.data.events.edges.map((e) => e.node.entityId)).toEqual([`${prefix}-3`]);
    const updates = await graphql<Page>(t.url, LIST, {
      filter: { action: 'update', entityType: 'odd_thing' },
    });
    expect(updates.data.events.totalCount).toBe(0);
    const future = await graphql<Page>(t.url, LIST, { filter: { since: '2999-01-01T00:00:00Z' } });
    expect(future.data.events.totalCount).toBe(0);
    const past = await graphql<Page>(t.url, LIST, { filter: { until: '2000-01-01T00:00:00Z' } });
    expect(past.data.events.totalCount).toBe(0);
    const rest = (await (await fetch(`${t.url}/events?entityType=odd_thing&first=2`)).json()) as {
      events: { entityId: string }[];
      nextCursor: string | null;
    };
    expect(rest.events.map((e) => e.entityId)).toEqual([`${prefix}-5`, `${prefix}-3`]);
    const next = (await (
      await fetch(`${t.url}/events?entityType=odd_thing&first=2&after=${rest.nextCursor}`)
    ).json()) as {
      events: { entityId: string }[];
      nextCursor: string | null;
    };
    expect(next.events.map((e) => e.entityId)).toEqual([`${prefix}-1`]);
    expect(next.nextCursor).toBeNull();
  });

  it('counts up to a bound: exact under it, "at least the bound" past it, kept counts exact at any size', async ({
    t,
  }) => {
    const COUNT = `query($filter: EventFilter, $atMost: Int) {
      events(filter: $filter, first: 1) { count(atMost: $atMost) { value exact } }
    }`;
    const count = async (filter: Record<string, unknown>, atMost?: number) => {
      const result = await graphql<{ events: { count: unknown } }>(t.url, COUNT, { filter, atMost });
      expect(result.errors).toBeUndefined();
      return result.data.events.count;
    };
    // Every body of this describe holds the prefix (in its entity id): 7 events.
    const search = { search: prefix };
    expect(await count(search)).toEqual({ value: 7, exact: true });
    expect(await count(search, 7)).toEqual({ value: 7, exact: true });
    expect(await count(search, 6)).toEqual({ value: 6, exact: false });
    expect(await count({ ...search, entityType: 'odd_thing' }, 2)).toEqual({ value: 2, exact: false });
    expect(await count({ search: 'needle in' }, 1)).toEqual({ value: 1, exact: true });
    // Counted by the server's kept counters: exact past the bound.
    expect(await count({ entityType: 'even_thing' }, 1)).toEqual({ value: 4, exact: true });
    // A time filter is not kept: bounded.
    expect(await count({ entityType: 'even_thing', since: '2000-01-01T00:00:00Z' }, 2)).toEqual({
      value: 2,
      exact: false,
    });
    for (const atMost of [0, -1, 10_001]) {
      const result = await graphql(t.url, COUNT, { filter: search, atMost });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toBe('atMost: must be an integer between 1 and 10000');
    }
  });

  it('refuses bad arguments with BAD_USER_INPUT naming the argument', async ({ t }) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ first: 501 }, 'first'],
      [{ after: 'nonsense' }, 'after'],
      [{ filter: { since: '2021-02-30T00:00:00Z' } }, 'DateTime'],
    ];
    for (const [variables, name] of cases) {
      const result = await graphql(t.url, LIST, variables);
      expect(result.errors?.[0]?.message).toContain(name);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('lists entities and counts in stats', async ({ t }) => {
    const result = await graphql<{
      entities: { totalCount: number; edges: { node: { id: string; version: number } }[] };
      stats: {
        totalEvents: number;
        byEntityType: { entityType: string; count: number }[];
        retention: string;
        retentionSeconds: number;
      };
    }>(
      t.url,
      `
        {
          entities(entityType: "odd_thing", first: 10) {
            totalCount
            edges {
              node {
                id
                version
              }
            }
          }
          stats {
            totalEvents
            byEntityType {
              entityType
              count
            }
            retention
            retentionSeconds
          }
        }
      `,
    );
    expect(result.data.entities.totalCount).toBe(3);
    expect(result.data.entities.edges.map((e) => e.node.id)).toEqual([
      `${prefix}-5`,
      `${prefix}-3`,
      `${prefix}-1`,
    ]);
    expect(result.data.stats.byEntityType).toContainEqual({ entityType: 'odd_thing', count: 3 });
    expect(result.data.stats).toMatchObject({ retention: '7d', retentionSeconds: 7 * 86_400 });
  });
});

describe('generateMockEvents', () => {
  it('stores realistic events through the intake and refuses silly counts', async ({ t }) => {
    const result = await graphql<{
      generateMockEvents: { id: string; entityType: string; warnings: string[] }[];
    }>(t.url, 'mutation { generateMockEvents(count: 25) { id entityType warnings } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.generateMockEvents).toHaveLength(25);
    const stored = await graphql<{ event: { id: string } | null }>(
      t.url,
      'query($id: ID!) { event(id: $id) { id } }',
      {
        id: result.data.generateMockEvents[0]?.id,
      },
    );
    expect(stored.data.event).not.toBeNull();
    const refused = await graphql(t.url, 'mutation { generateMockEvents(count: 0) { id } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
