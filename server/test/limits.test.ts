import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  collect,
  connected,
  EXAMPLE_CREATE,
  graphql,
  ManualClock,
  postEvent,
  startTestServer,
  waitFor,
  wsClient,
} from './helpers/server.js';
import { useTestServer } from './helpers/fixtures.js';
import { insertUnparsableRow } from './helpers/broken-row.js';

type GraphQLErrors = { message: string; extensions?: Record<string, unknown> }[];

/** Runs one operation over graphql-ws and returns the errors it ends with (or [] when it succeeded). */
async function wsErrors(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLErrors> {
  const client = wsClient(url);
  try {
    return await new Promise<GraphQLErrors>((resolve) => {
      client.subscribe(
        { query, variables },
        {
          next: (result) => {
            if (result.errors) resolve(result.errors as GraphQLErrors);
          },
          error: (error) =>
            resolve(Array.isArray(error) ? (error as GraphQLErrors) : [{ message: String(error) }]),
          complete: () => resolve([]),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

const graphqlLimitsTest = useTestServer({
  env: {
    GRAPHQL_MAX_DEPTH: '6',
    GRAPHQL_MAX_ALIASES: '3',
    GRAPHQL_MAX_TOKENS: '200',
    GRAPHQL_MAX_COST: '1000',
  },
});
const noIntrospectionTest = useTestServer({ env: { GRAPHQL_INTROSPECTION: 'false' } });
const wsLimitsTest = useTestServer({
  env: {
    WS_MAX_PAYLOAD_BYTES: '4096',
    WS_MAX_SUBSCRIPTIONS: '2',
    WS_INIT_TIMEOUT: '300ms',
    WS_MAX_BUFFERED_BYTES: '262144',
    MAX_BODY_BYTES: '1048576',
  },
});
const httpLimitsTest = useTestServer({
  env: { HTTP_HEADERS_TIMEOUT: '400ms', HTTP_REQUEST_TIMEOUT: '1s' },
  dashboardHtml: '<!doctype html><title>dash</title>',
});

describe('GraphQL limits over HTTP and graphql-ws', () => {
  const it = graphqlLimitsTest;

  it('refuses too deep, too many aliases, too many tokens and too costly, on both transports', async ({
    t,
  }) => {
    const refusals: [string, string, Record<string, unknown>, RegExp][] = [
      [
        'depth',
        '{ entities { edges { node { ...E } } } } fragment E on Entity { events { edges { node { changes { field } } } } }',
        {},
        /depth 8 exceeds the limit of 6/,
      ],
      [
        'aliases',
        '{ a: stats { totalEvents } b: stats { totalEvents } c: stats { totalEvents } d: stats { totalEvents } }',
        {},
        /aliases/,
      ],
      ['tokens', `{ stats { ${'totalEvents '.repeat(250)} } }`, {}, /tokens/],
      [
        'cost',
        'query Q($n: Int) { events(first: $n) { edges { node { id action entityType } } } }',
        { n: 400 },
        /cost/,
      ],
    ];
    for (const [name, query, variables, message] of refusals) {
      const http = await graphql(t.url, query, variables);
      expect({ name, message: http.errors?.[0]?.message }).toMatchObject({
        name,
        message: expect.stringMatching(message),
      });
      const ws = await wsErrors(t.wsUrl, query, variables);
      expect({ name, message: ws[0]?.message }).toMatchObject({
        name,
        message: expect.stringMatching(message),
      });
    }
  });

  it('measures depth through nested selections and lets a query at the limit through', async ({ t }) => {
    // entity(1) → events(2) → edges(3) → node(4) → changes(5) → field(6): exactly the limit.
    const atLimit = '{ entity(id: "x") { events { edges { node { changes { field } } } } } }';
    expect((await graphql(t.url, atLimit)).errors).toBeUndefined();
    expect(await wsErrors(t.wsUrl, atLimit)).toEqual([]);
    const seven = `{ entities { edges { node { events { edges { node { changes { field } } } } } } } }`;
    expect((await graphql(t.url, seven)).errors?.[0]?.message).toMatch(/depth 8 exceeds the limit of 6/);
    expect((await wsErrors(t.wsUrl, seven))[0]?.message).toMatch(/depth 8 exceeds the limit of 6/);
  });

  it('counts the cost with the variables: first: $n cannot hide a large page', async ({ t }) => {
    const query = 'query Q($n: Int) { events(first: $n) { edges { node { id } } } }';
    expect((await graphql(t.url, query, { n: 10 })).errors).toBeUndefined();
    expect((await graphql(t.url, query, { n: 500 })).errors?.[0]?.extensions?.code).toBe(
      'QUERY_LIMIT_EXCEEDED',
    );
  });

  it('keeps Apollo CSRF prevention on: a simple (form-like) POST is refused', async ({ t }) => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ stats { totalEvents } }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('masks an internal error: a code and an id, no detail', async ({ t }) => {
    // A row whose headers column is not JSON makes the resolver throw a SyntaxError deep inside.
    insertUnparsableRow(t.dataDir, { id: 'broken' });
    const result = await graphql(t.url, '{ event(id: "broken") { headers } }');
    const error = result.errors?.[0];
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error?.message).toMatch(/^Internal server error \(id [a-z0-9]+\)$/);
    expect(error?.message).toContain(String(error?.extensions?.errorId));
    expect(JSON.stringify(result)).not.toMatch(/JSON|position|SyntaxError|stack/);
  });
});

describe('GRAPHQL_INTROSPECTION=false', () => {
  const it = noIntrospectionTest;

  it('refuses introspection over HTTP and graphql-ws, and still answers queries', async ({ t }) => {
    const query = '{ __schema { types { name } } }';
    expect((await graphql(t.url, query)).errors?.[0]?.message).toMatch(/introspection/i);
    expect((await wsErrors(t.wsUrl, query))[0]?.message).toMatch(/introspection/i);
    expect((await graphql(t.url, '{ stats { totalEvents } }')).errors).toBeUndefined();
  });
});

/** A raw graphql-ws socket, to break the protocol on purpose. */
function rawSocket(url: string): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const closed = new Promise<number>((done) => socket.on('close', (code) => done(code)));
    socket.on('open', () => resolve({ socket, closed }));
    socket.on('error', reject);
  });
}

describe('WebSocket limits', () => {
  const it = wsLimitsTest;

  it('closes a socket that sends a frame larger than WS_MAX_PAYLOAD_BYTES (1009)', async ({ t }) => {
    const { socket, closed } = await rawSocket(t.wsUrl);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(5_000) } }));
    expect(await closed).toBe(1009);
  });

  it('closes a socket that never sends connection_init (4408)', async ({ t }) => {
    const { closed } = await rawSocket(t.wsUrl);
    expect(await closed).toBe(4408);
  });

  it('refuses a subscription beyond WS_MAX_SUBSCRIPTIONS on one socket', async ({ t }) => {
    const client = wsClient(t.wsUrl);
    await connected(client);
    const a = collect(client, 'subscription { eventAdded { id } }');
    const b = collect(client, 'subscription { eventsPurged { eventCount } }');
    await waitFor(
      () => t.server.subscriberCount('eventAdded') === 1 && t.server.subscriberCount('eventsPurged') === 1,
    );
    const errors = await new Promise<GraphQLErrors>((resolve) => {
      client.subscribe(
        { query: 'subscription { rejectionAdded { id } }' },
        { next: () => undefined, error: (e) => resolve(e as GraphQLErrors), complete: () => resolve([]) },
      );
    });
    expect(errors[0]?.message).toMatch(/at most 2 operations per connection/);
    a.dispose();
    b.dispose();
    await client.dispose();
  });

  it('disconnects a client that stops reading once its buffer passes the cap, without slowing the others', async ({
    t,
  }) => {
    const subscription = 'subscription { eventAdded { id raw } }';
    const fast = wsClient(t.wsUrl);
    const fastSub = collect<{ eventAdded: { id: string } }>(fast, subscription);
    const { socket: slow, closed: slowClosed } = await rawSocket(t.wsUrl);
    slow.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => slow.once('message', resolve));
    slow.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: subscription } }));
    await waitFor(() => t.server.subscriberCount('eventAdded') === 2);
    // Stop reading: TCP back-pressure makes the server's send buffer for this socket grow.
    slow.pause();

    const big = { ...EXAMPLE_CREATE, payload: { ...EXAMPLE_CREATE.payload, blob: 'x'.repeat(200_000) } };
    let slowGone = false;
    void slowClosed.then(() => (slowGone = true));
    const sent: string[] = [];
    for (let i = 0; i < 200 && t.server.subscriberCount('eventAdded') > 1; i++) {
      const { json } = await postEvent(t.url, big);
      sent.push(String(json.id));
      // The reading client keeps up all along: each event arrives before the next is sent.
      expect((await fastSub.next()).eventAdded.id).toBe(json.id);
    }
    expect(t.server.subscriberCount('eventAdded')).toBe(1);
    slow.resume();
    await waitFor(() => slowGone);
    const { json } = await postEvent(t.url, EXAMPLE_CREATE);
    expect((await fastSub.next()).eventAdded.id).toBe(json.id);
    fastSub.dispose();
    await fast.dispose();
  });
});

describe('HTTP timeouts, intake hygiene and headers', () => {
  const it = httpLimitsTest;

  it('cuts off a client that sends its headers too slowly (408, then the connection closes)', async ({
    t,
  }) => {
    const { port } = new URL(t.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('POST /webhooks/event HTTP/1.1\r\nHost: x\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('cuts off a client that sends its body too slowly', async ({ t }) => {
    const { port } = new URL(t.url);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(
          'POST /webhooks/event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
        ),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(answer).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('stores __proto__ and constructor keys verbatim as own data, never touching a prototype', async ({
    t,
  }) => {
    const raw =
      '{"action":"create","entity_type":"task","time":"2026-01-01T00:00:00Z","__proto__":{"polluted":1},' +
      '"payload":{"id":"proto-1","__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":2}}}}';
    const { status, json } = await postEvent(t.url, raw);
    expect(status).toBe(201);
    const result = await graphql<{
      event: { raw: string; payload: Record<string, unknown> };
      entity: { state: Record<string, unknown> };
    }>(t.url, 'query Q($id: ID!) { event(id: $id) { raw payload } entity(id: "proto-1") { state } }', {
      id: json.id,
    });
    expect(result.data.event.raw).toBe(raw);
    expect(Object.hasOwn(result.data.event.payload, '__proto__')).toBe(true);
    expect(result.data.entity.state.constructor).toEqual({ prototype: { polluted: 2 } });
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
  });

  it('sends the security headers with the dashboard, and leaves the Sandbox page its CDN scripts', async ({
    t,
  }) => {
    const dashboard = await fetch(`${t.url}/dashboard/`);
    expect(dashboard.status).toBe(200);
    const csp = dashboard.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(dashboard.headers.get('x-content-type-options')).toBe('nosniff');
    expect(dashboard.headers.get('referrer-policy')).toBe('no-referrer');
    const deep = await fetch(`${t.url}/dashboard/entities/abc`);
    expect(deep.headers.get('content-security-policy')).toBe(csp);
    const sandbox = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(sandbox.status).toBe(200);
    expect(sandbox.headers.get('content-security-policy')).toBeNull();
    expect(await sandbox.text()).toContain('embeddable-sandbox');
  });
});

describe('Capacity', () => {
  it('evicts the oldest events beyond MAX_STORED_EVENTS and tells subscribers', async () => {
    const clock = new ManualClock();
    const t = await startTestServer({ clock, env: { MAX_STORED_EVENTS: '5' } });
    try {
      const client = wsClient(t.wsUrl);
      const purged = collect<{ eventsPurged: { eventCount: number } }>(
        client,
        'subscription { eventsPurged { eventCount } }',
      );
      await waitFor(() => t.server.subscriberCount('eventsPurged') === 1);
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        clock.advance(1_000);
        const { status, json } = await postEvent(t.url, {
          ...EXAMPLE_CREATE,
          payload: { ...EXAMPLE_CREATE.payload, id: `cap-${i}` },
        });
        expect(status).toBe(201);
        ids.push(String(json.id));
      }
      const result = await graphql<{ events: { totalCount: number; edges: { node: { id: string } }[] } }>(
        t.url,
        '{ events(first: 50) { totalCount edges { node { id } } } }',
      );
      expect(result.data.events.totalCount).toBe(5);
      expect(result.data.events.edges.map((e) => e.node.id)).toEqual(ids.slice(3).reverse());
      let evicted = 0;
      while (evicted < 3) evicted += (await purged.next()).eventsPurged.eventCount;
      expect(evicted).toBe(3);
      purged.dispose();
      await client.dispose();
    } finally {
      await t.dispose();
    }
  });

  it('answers 503 with Retry-After when the database is full, never 2xx for what it did not store, and recovers', async () => {
    const clock = new ManualClock();
    const t = await startTestServer({
      clock,
      env: { MAX_DATABASE_BYTES: String(1_500_000), EVENT_RETENTION: '1h' },
    });
    try {
      const acknowledged: string[] = [];
      let refused: { status: number; retryAfter: string | null } | null = null;
      for (let i = 0; i < 200 && !refused; i++) {
        const body = {
          ...EXAMPLE_CREATE,
          payload: { ...EXAMPLE_CREATE.payload, id: `full-${i}`, blob: 'y'.repeat(50_000) },
        };
        const { status, json, headers } = await postEvent(t.url, body);
        if (status === 201) acknowledged.push(String(json.id));
        else refused = { status, retryAfter: headers.get('retry-after') };
      }
      expect(refused).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
      // Everything acknowledged is there; reads still work on a full database.
      for (const id of acknowledged) {
        expect((await fetch(`${t.url}/events/${id}`)).status).toBe(200);
      }
      // Space returns (the retention rule frees the old events): intake recovers without a restart.
      clock.advance(2 * 3_600_000);
      await t.server.purgeNow();
      expect((await postEvent(t.url, EXAMPLE_CREATE)).status).toBe(201);
    } finally {
      await t.dispose();
    }
  });
});
