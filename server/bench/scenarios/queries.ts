import { Agent, request as httpRequest } from 'node:http';
import type { Scenario } from '../context.js';
import { quantile, startHookscope } from '../lib.js';
import { DASHBOARD_DELETE_COUNT_QUERY, DASHBOARD_STREAM_QUERY } from '../operations.js';
import { round } from '../report.js';
import { BIG_ENTITY_ID, RARE_TERM } from '../seed.js';

/** One timed query: its row name, the operation, its variables and the p50 it must stay under (null: info). */
interface QueryCase {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  targetMs: number | null;
}

const PAGE = '{ id action entityType entityId time receivedAt payload }';
const LIST = `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${PAGE} } } }`;
const LIST_COUNTED = `query($f: EventFilter) { events(filter: $f, first: 50) { totalCount edges { node ${PAGE} } } }`;
const LIST_BOUNDED = `query($f: EventFilter) { events(filter: $f, first: 50) { count { value exact } edges { node ${PAGE} } } }`;
const ENTITY_QUERY = 'query($id: ID!) { entity(id: $id) { id version state warnings } }';
const DAY_MS = 86_400_000;

/** The cases, in the report's order (the time window is relative to now, so built per run). */
function cases(): QueryCase[] {
  const list = (name: string, f: Record<string, unknown>): QueryCase => ({
    name,
    query: LIST,
    variables: { f },
    targetMs: 5,
  });
  const counted = (name: string, f: Record<string, unknown> | null): QueryCase => ({
    name,
    query: LIST_COUNTED,
    variables: f ? { f } : {},
    targetMs: 5,
  });
  const bounded = (name: string, f: Record<string, unknown>): QueryCase => ({
    name,
    query: LIST_BOUNDED,
    variables: { f },
    targetMs: 5,
  });
  const deleteCount = (name: string, filter: Record<string, unknown>): QueryCase => ({
    name,
    query: DASHBOARD_DELETE_COUNT_QUERY,
    variables: { filter },
    targetMs: 5,
  });
  return [
    {
      name: 'newest page of 50',
      query: `query($f: EventFilter) { events(filter: $f, first: 50) { edges { node ${PAGE} } pageInfo { endCursor } } }`,
      variables: {},
      targetMs: 2,
    },
    {
      name: "the dashboard's stream query (page of 50, warnings)",
      query: DASHBOARD_STREAM_QUERY,
      variables: { first: 50 },
      targetMs: 5,
    },
    {
      name: "the dashboard's stream query, common search term",
      query: DASHBOARD_STREAM_QUERY,
      variables: { first: 50, filter: { search: 'name' } },
      targetMs: 5,
    },
    list('filter action', { action: 'delete' }),
    list('filter entityType', { entityType: 'component' }),
    list('filter entityId', { entityId: BIG_ENTITY_ID }),
    list('filter since/until', {
      since: new Date(Date.now() - 3 * DAY_MS).toISOString(),
      until: new Date(Date.now() - 2 * DAY_MS).toISOString(),
    }),
    list('search, rare term', { search: RARE_TERM }),
    list('search, common term', { search: 'name' }),
    list('search, absent term', { search: 'qqqxxyy' }),
    counted('page + totalCount', null),
    counted('page + totalCount, filter action', { action: 'update' }),
    // What the dashboard's "Delete matching…" dialog asks: the bounded count (atMost 1,000).
    deleteCount("the dashboard's delete count (count up to 1,000), rare term", { search: RARE_TERM }),
    deleteCount("the dashboard's delete count (count up to 1,000), common term", { search: 'name' }),
    deleteCount("the dashboard's delete count (count up to 1,000), absent term", { search: 'qqqxxyy' }),
    bounded('search + count (up to 1,000), rare term', { search: RARE_TERM }),
    bounded('search + count (up to 1,000), common term', { search: 'name' }),
    // Sandbox users may still ask for a search's exact totalCount: info (documented as slow at size).
    { ...counted('search + totalCount (exact), rare term', { search: RARE_TERM }), targetMs: null },
    { ...counted('search + totalCount (exact), common term', { search: 'name' }), targetMs: null },
    {
      name: 'stats',
      query:
        '{ stats { totalEvents totalEntities byEntityType { entityType count } byAction { action count } oldestReceivedAt newestReceivedAt } }',
      variables: {},
      targetMs: 5,
    },
    {
      name: 'entity of 10,000 events (fold, cached)',
      query: ENTITY_QUERY,
      variables: { id: BIG_ENTITY_ID },
      targetMs: 10,
    },
  ];
}

/** One keep-alive connection, as a dashboard or Sandbox holds: the round trip then has no connect cost. */
const queryAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function postQuery(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/graphql`,
      { method: 'POST', agent: queryAgent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Times `iterations` round trips of one query after `warmup` untimed ones (the first runs of a query
 * compile its plan and its JIT code; `warmup: 0` measures exactly that first run).
 */
export async function timeQuery(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  iterations: number,
  warmup = 10,
) {
  const body = JSON.stringify({ query, variables });
  const times: number[] = [];
  let last: unknown = null;
  for (let i = 0; i < warmup + iterations; i++) {
    const started = performance.now();
    last = JSON.parse(await postQuery(url, body));
    if (i >= warmup) times.push(performance.now() - started);
  }
  const errors = (last as { errors?: unknown[] }).errors;
  if (errors) throw new Error(`query failed: ${JSON.stringify(errors)}`);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), last };
}

/** GraphQL reads against the seeded store; the baseline is `{ __typename }` over the same connection. */
export const queries: Scenario = {
  name: 'queries',
  async run(ctx) {
    process.stdout.write(
      `queries at ${ctx.size.toLocaleString('en')} stored events${ctx.full ? '' : ' (quick mode; --full uses 1,000,000)'}\n`,
    );
    const dataDir = ctx.seeded();
    const server = await startHookscope({ DATA_DIR: dataDir }, ctx.port());
    const n = ctx.full ? 200 : 60;
    const floor = await timeQuery(server.url, '{ __typename }', {}, n);
    const all = cases();
    // The first fold of the big entity, before the cache holds it.
    const cold = await timeQuery(server.url, ENTITY_QUERY, { id: BIG_ENTITY_ID }, 1, 0);
    for (const { name, query, variables, targetMs } of all) {
      const timing = await timeQuery(server.url, query, variables, n);
      ctx.raw[`query ${name}`] = { p50: timing.p50, p99: timing.p99 };
      ctx.add({
        scenario: 'queries',
        metric: `${name}: p50 ms (HTTP round trip)`,
        value: round(timing.p50),
        baseline: round(floor.p50),
        target: targetMs === null ? 'info' : `<= ${targetMs} ms`,
        pass: targetMs === null ? null : timing.p50 <= targetMs,
      });
    }
    ctx.add({
      scenario: 'queries',
      metric: 'entity of 10,000 events, first (uncached) fold, ms',
      value: round(cold.p50),
      baseline: round(floor.p50),
      target: '<= 10 ms',
      pass: cold.p50 <= 10,
    });
    // A hot entity: each new event makes the cached fold stale; what the next read costs is what a
    // dashboard showing that entity (or its events' warnings) pays per change.
    const changed: number[] = [];
    for (let i = 0; i < 9; i++) {
      const response = await fetch(`${server.url}/webhooks/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          action: 'update',
          entity_type: 'task',
          time: new Date().toISOString(),
          id: BIG_ENTITY_ID,
          modified_fields: ['n'],
          payload: { n: -i },
        }),
      });
      if (response.status !== 201) throw new Error(`bench update refused: ${response.status}`);
      changed.push((await timeQuery(server.url, ENTITY_QUERY, { id: BIG_ENTITY_ID }, 1, 0)).p50);
    }
    ctx.raw['query entity refold after a change'] = changed;
    ctx.add({
      scenario: 'queries',
      metric: 'entity of 10,000 events, first read after a new event, p50 ms',
      value: round(quantile(changed, 0.5)),
      baseline: round(floor.p50),
      target: '<= 10 ms',
      pass: quantile(changed, 0.5) <= 10,
    });
    await server.stop();
  },
};
