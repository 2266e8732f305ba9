import { request } from 'node:http';
import { afterEach, describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import { deadPort, startHandler, type TestHandler } from './helpers/handler.js';
import {
  graphql,
  postCreated,
  postEvent,
  startTestServer,
  waitFor,
  type TestServer,
} from './helpers/server.js';

// Server-side sending as a developer sees it: events replayed and forwarded to real local handlers
// (node:http on port 0) that answer, fail, stall or hang up; every attempt recorded on its event; and
// targets outside FORWARD_ALLOWED_TARGETS refused before any connection is made.

interface DeliveryView {
  source: string;
  target: string;
  status: number | null;
  durationMs: number;
  responseBody: string | null;
  responseTruncated: boolean;
  error: string | null;
}
interface SummaryView {
  target: string;
  eventCount: number;
  attempted: number;
  succeeded: number;
  failed: number;
  skipped: number;
  complete: boolean;
  deliveries: (DeliveryView & { eventId: string })[];
}
type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;

const DELIVERY = 'source target status durationMs responseBody responseTruncated error';
const REPLAY = `mutation Replay($ids: [ID!], $filter: EventFilter, $entityId: ID, $target: String!) {
  replayEvents(ids: $ids, filter: $filter, entityId: $entityId, target: $target) {
    target eventCount attempted succeeded failed skipped complete deliveries { eventId ${DELIVERY} }
  }
}`;

async function replay(t: TestServer, variables: Record<string, unknown>) {
  return graphql<{ replayEvents: SummaryView | null }>(t.url, REPLAY, variables);
}

async function deliveriesOf(t: TestServer, id: string): Promise<DeliveryView[]> {
  const result = await graphql<{ event: { deliveries: DeliveryView[] } }>(
    t.url,
    `query ($id: ID!) { event(id: $id) { deliveries { ${DELIVERY} } } }`,
    { id },
  );
  expect(result.errors).toBeUndefined();
  return result.data.event.deliveries;
}

/** POSTs raw bytes with any headers (fetch refuses hop-by-hop ones), answers the new event's id. */
function postRaw(base: string, body: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/webhooks/event`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string };
        if (res.statusCode !== 201 || !json.id) reject(new Error(`not stored: ${res.statusCode}`));
        else resolve(json.id);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const handlers: TestHandler[] = [];
afterEach(async () => {
  for (const handler of handlers.splice(0)) await handler.close();
});
async function handler(...args: Parameters<typeof startHandler>): Promise<TestHandler> {
  const started = await startHandler(...args);
  handlers.push(started);
  return started;
}

const it = useTestServer({ env: { FORWARD_TIMEOUT: '1s', REPLAY_WAIT: '10s' } });

describe('replayEvents', () => {
  it("replays an entity's stream in fold order with its exact bodies and its headers less hop-by-hop and credentials", async ({
    t,
  }) => {
    const target = await handler((request, response) => response.end(`ok ${request.body.length}`));
    // Arrival order create, later update, earlier update: fold order (by `time`) differs from arrival.
    const bodies = [
      '{"action":"create","entity_type":"task","time":"2026-01-01T00:00:00Z","payload":{"id":"rp-1","n":1}}',
      '{ "action": "update", "entity_type": "task", "time": "2026-01-01T02:00:00Z", "id": "rp-1",\n  "modified_fields": ["n"], "payload": {"n": 3, "big": 12345678901234567890} }',
      '{"action":"update","entity_type":"task","time":"2026-01-01T01:00:00Z","id":"rp-1","modified_fields":["n"],"payload":{"n":2,"s":"caf\\u00e9 日本"}}',
    ];
    const headers = {
      'content-type': 'application/json',
      'x-custom': 'kept',
      'webhook-timestamp': '1767225600',
      connection: 'keep-alive, x-hop',
      'x-hop': 'connection-only',
      'keep-alive': 'timeout=5',
      authorization: 'Bearer secret-of-hookscope',
      cookie: 'session=secret',
      'proxy-authorization': 'Basic c2VjcmV0',
    };
    const ids: string[] = [];
    for (const body of bodies) ids.push(await postRaw(t.url, body, headers));
    await postCreated(t.url, {
      action: 'create',
      entity_type: 'task',
      time: '2026-01-01T00:00:00Z',
      payload: { id: 'rp-other' },
    });

    const result = await replay(t, { entityId: 'rp-1', target: `${target.url}/hook` });
    expect(result.errors).toBeUndefined();
    const foldOrder = [ids[0], ids[2], ids[1]] as string[];
    expect(result.data.replayEvents).toMatchObject({
      target: `${target.url}/hook`,
      eventCount: 3,
      attempted: 3,
      succeeded: 3,
      failed: 0,
      skipped: 0,
      complete: true,
    });
    expect(result.data.replayEvents?.deliveries.map((d) => d.eventId)).toEqual(foldOrder);
    expect(target.requests.map((r) => r.body.toString('utf8'))).toEqual([bodies[0], bodies[2], bodies[1]]);
    for (const received of target.requests) {
      expect(received.method).toBe('POST');
      expect(received.path).toBe('/hook');
      expect(received.headers['x-custom']).toBe('kept');
      expect(received.headers['webhook-timestamp']).toBe('1767225600');
      expect(received.headers['content-type']).toBe('application/json');
      for (const gone of ['x-hop', 'keep-alive', 'authorization', 'cookie', 'proxy-authorization']) {
        expect(received.headers[gone], gone).toBeUndefined();
      }
    }
    // Each attempt is on its event, with the handler's answer.
    const recorded = await deliveriesOf(t, ids[1] as string);
    expect(recorded).toEqual([
      {
        source: 'replay',
        target: `${target.url}/hook`,
        status: 200,
        durationMs: expect.any(Number),
        responseBody: `ok ${Buffer.byteLength(bodies[1] as string)}`,
        responseTruncated: false,
        error: null,
      },
    ]);
  });

  it('records what each handler answered: a 500, a hang-up, a stall past the timeout, a redirect not followed, a body over the cap', async ({
    t,
  }) => {
    const elsewhere = await handler();
    const target = await handler((request, response, socket) => {
      if (request.path === '/fail') response.writeHead(500).end('handler broke');
      else if (request.path === '/hangup') socket.destroy();
      else if (request.path === '/stall')
        return; // never answers
      else if (request.path === '/redirect')
        response.writeHead(302, { location: `${elsewhere.url}/stolen` }).end();
      else if (request.path === '/big') response.end('x'.repeat(100 * 1024));
    });
    const id = await postCreated(t.url, {
      action: 'create',
      entity_type: 'task',
      time: '2026-01-01T00:00:00Z',
      payload: { id: 'rp-answers' },
    });
    for (const path of ['/fail', '/hangup', '/stall', '/redirect', '/big']) {
      const result = await replay(t, { ids: [id], target: `${target.url}${path}` });
      expect(result.errors, path).toBeUndefined();
      expect(result.data.replayEvents?.attempted, path).toBe(1);
    }
    const [fail, hangup, stall, redirect, big] = await deliveriesOf(t, id);
    expect(fail).toMatchObject({ status: 500, responseBody: 'handler broke', error: null });
    expect(hangup).toMatchObject({ status: null, responseBody: null });
    expect(hangup?.error).toMatch(/socket|closed|ECONNRESET/i);
    expect(stall).toMatchObject({ status: null, error: 'timed out after 1000 ms' });
    expect(stall?.durationMs).toBeGreaterThanOrEqual(990);
    expect(redirect).toMatchObject({ status: 302, error: null });
    expect(elsewhere.connections()).toBe(0);
    expect(big).toMatchObject({ status: 200, responseTruncated: true, error: null });
    expect(big?.responseBody).toBe('x'.repeat(64 * 1024));
  });

  it('sends a filter oldest first, and a list of ids in arrival order whatever order they are given in', async ({
    t,
  }) => {
    const target = await handler();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        await postCreated(t.url, {
          action: 'create',
          entity_type: 'replayfilter',
          time: '2026-01-01T00:00:00Z',
          payload: { id: `rf-${i}` },
        }),
      );
    }
    const filtered = await replay(t, { filter: { entityType: 'replayfilter' }, target: target.url });
    expect(filtered.data.replayEvents?.deliveries.map((d) => d.eventId)).toEqual(ids);
    const listed = await replay(t, { ids: [ids[3], ids[0], ids[2]], target: target.url });
    expect(listed.data.replayEvents?.deliveries.map((d) => d.eventId)).toEqual([ids[0], ids[2], ids[3]]);
    expect(target.requests.map((r) => JSON.parse(r.body.toString()).payload.id)).toEqual([
      'rf-0',
      'rf-1',
      'rf-2',
      'rf-3',
      'rf-0',
      'rf-2',
      'rf-3',
    ]);
  });

  it('refuses a replay with a clear error before sending anything', async ({ t }) => {
    const target = await handler();
    const id = await postCreated(t.url, {
      action: 'create',
      entity_type: 'task',
      time: '2026-01-01T00:00:00Z',
      payload: { id: 'rp-refused' },
    });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ target: target.url }, 'BAD_USER_INPUT', 'ids: give exactly one of ids, filter or entityId'],
      [{ ids: [id], entityId: 'rp-refused', target: target.url }, 'BAD_USER_INPUT', 'ids: give exactly one'],
      [{ ids: [], target: target.url }, 'BAD_USER_INPUT', 'ids: must name at least one event'],
      [{ ids: [id, 'no-such'], target: target.url }, 'NOT_FOUND', 'ids: no retained event with id "no-such"'],
      [
        { entityId: 'no-such-entity', target: target.url },
        'NOT_FOUND',
        'entityId: no retained event of entity',
      ],
      [{ ids: [id], target: 'not a url' }, 'BAD_USER_INPUT', 'target: "not a url" is not an absolute URL'],
      [
        { ids: [id], target: 'http://10.0.0.1/hook' },
        'FORWARD_TARGET_NOT_ALLOWED',
        'target: http://10.0.0.1/hook is not inside',
      ],
    ];
    for (const [variables, code, message] of cases) {
      const errors = (await replay(t, variables)).errors as Errors;
      expect(errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe(code);
      expect(errors?.[0]?.message).toContain(message);
    }
    expect(target.connections()).toBe(0);
    expect(await deliveriesOf(t, id)).toEqual([]);
  });
});

describe('a replay over REPLAY_MAX_EVENTS', () => {
  it('is refused before anything is sent, saying how many the filter selects or that it is more', async () => {
    const target = await handler();
    const t = await startTestServer({ env: { REPLAY_MAX_EVENTS: '2' } });
    try {
      for (let i = 0; i < 3; i++) {
        await postCreated(t.url, {
          action: 'create',
          entity_type: 'overflow',
          time: '2026-01-01T00:00:00Z',
          payload: { id: `overflow-${i}`, note: 'replay-overflow-term' },
        });
      }
      const cases: [Record<string, unknown>, string][] = [
        // A kept count: exact.
        [
          { entityType: 'overflow' },
          'filter: selects 3 events, more than one replay sends (REPLAY_MAX_EVENTS=2)',
        ],
        // A search: the bounded count stops past the limit.
        [
          { search: 'replay-overflow-term' },
          'filter: selects more than 2 events, more than one replay sends',
        ],
      ];
      for (const [filter, message] of cases) {
        const errors = (await replay(t, { filter, target: target.url })).errors as Errors;
        expect(errors?.[0]?.extensions?.code).toBe('REPLAY_TOO_LARGE');
        expect(errors?.[0]?.message).toContain(message);
      }
      // Within the limit, the same search is sent.
      const sent = await replay(t, {
        filter: { search: 'replay-overflow-term', entityId: 'overflow-1' },
        target: target.url,
      });
      expect(sent.errors).toBeUndefined();
      await target.nth(1);
      expect(target.requests).toHaveLength(1);
    } finally {
      await t.dispose();
    }
  });
});

describe('a long replay', () => {
  it('answers after REPLAY_WAIT with where it stands, and goes on: the rest of its attempts are recorded after', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const target = await handler((_request, response) => void held.then(() => response.end('late')));
    const t = await startTestServer({ env: { REPLAY_WAIT: '300ms', FORWARD_TIMEOUT: '30s' } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        ids.push(
          await postCreated(t.url, {
            action: 'create',
            entity_type: 'task',
            time: '2026-01-01T00:00:00Z',
            payload: { id: `long-${i}` },
          }),
        );
      }
      const result = await replay(t, { ids, target: target.url });
      expect(result.errors).toBeUndefined();
      // Answered while the handler still holds the first request (the second is not sent yet).
      await target.nth(1);
      expect(target.requests).toHaveLength(1);
      expect(result.data.replayEvents).toMatchObject({
        eventCount: 2,
        attempted: 0,
        complete: false,
        deliveries: [],
      });
      release();
      await target.nth(2);
      await waitFor(async () => (await deliveriesOf(t, ids[1] as string)).length === 1);
      for (const id of ids) {
        expect(await deliveriesOf(t, id)).toEqual([
          expect.objectContaining({ source: 'replay', status: 200, responseBody: 'late' }),
        ]);
      }
    } finally {
      release();
      await t.dispose();
    }
  });
});

describe('FORWARD_ALLOWED_TARGETS', () => {
  it('refuses every spelling of a target outside the allowed prefix, and never connects to it', async () => {
    const trap = await handler();
    const allowed = `${trap.url}/allowed`;
    const t = await startTestServer({ env: { FORWARD_ALLOWED_TARGETS: allowed, FORWARD_TIMEOUT: '1s' } });
    try {
      const id = await postCreated(t.url, {
        action: 'create',
        entity_type: 'task',
        time: '2026-01-01T00:00:00Z',
        payload: { id: 'ssrf' },
      });
      const p = trap.port;
      const refused = [
        `http://127.0.0.1:${p}/allowedX`, // a text prefix, not a path prefix
        `http://127.0.0.1:${p}/other`,
        `http://127.0.0.1:${p}/allowed/../other`, // dot segments are resolved before the comparison
        `http://127.0.0.1:${p}/allowed/%2e%2e/other`,
        `http://127.0.0.1:${p}@localhost:${p}/allowed`, // userinfo: the host is localhost
        `http://user:pass@127.0.0.1:${p}/allowed`, // credentials in a target are never sent
        `http://127.0.0.1.nip.io:${p}/allowed`,
        `http://localhost:${p}/allowed`, // another name for the same address is another target
        `http://[::ffff:127.0.0.1]:${p}/allowed`,
        `http://127.0.0.1:${p + 1}/allowed`,
        `https://127.0.0.1:${p}/allowed`,
        `http://127.0.0.1/allowed`,
      ];
      for (const target of refused) {
        const errors = (await replay(t, { ids: [id], target })).errors as Errors;
        expect(errors?.[0]?.extensions?.code, target).toBe('FORWARD_TARGET_NOT_ALLOWED');
      }
      for (const target of ['file:///etc/passwd', 'gopher://127.0.0.1/', 'javascript:alert(1)']) {
        const errors = (await replay(t, { ids: [id], target })).errors as Errors;
        expect(errors?.[0]?.extensions?.code, target).toBe('FORWARD_TARGET_NOT_ALLOWED');
      }
      expect(trap.connections()).toBe(0);
      expect(await deliveriesOf(t, id)).toEqual([]);

      // The same address however it is written, and a path under the prefix, are inside.
      for (const target of [
        `HTTP://127.0.0.1:${p}/allowed`,
        `http://0x7f.0.0.1:${p}/allowed/sub`,
        `http://2130706433:${p}/allowed?x=1`,
      ]) {
        const result = await replay(t, { ids: [id], target });
        expect(result.errors, target).toBeUndefined();
        expect(result.data.replayEvents?.succeeded, target).toBe(1);
      }
      expect(trap.requests.map((r) => r.path)).toEqual(['/allowed', '/allowed/sub', '/allowed?x=1']);
    } finally {
      await t.dispose();
    }
  });

  it('allows only the loopback addresses by default', async ({ t }) => {
    const id = await postCreated(t.url, {
      action: 'create',
      entity_type: 'task',
      time: '2026-01-01T00:00:00Z',
      payload: { id: 'ssrf-default' },
    });
    for (const target of [
      'http://169.254.169.254/latest/meta-data/',
      'http://192.168.1.1/',
      'http://127.0.0.2/',
      'http://0.0.0.0:8000/',
      'http://[::]/',
      'http://example.com/',
      'http://localhost.example.com/',
    ]) {
      const errors = (await replay(t, { ids: [id], target })).errors as Errors;
      expect(errors?.[0]?.extensions?.code, target).toBe('FORWARD_TARGET_NOT_ALLOWED');
    }
  });
});

describe('FORWARD_TO', () => {
  it('forwards every accepted event in commit order, each attempt on its event', async () => {
    const target = await handler((_request, response) => response.writeHead(202).end('queued'));
    const t = await startTestServer({ env: { FORWARD_TO: `${target.url}/in` } });
    try {
      const ids = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          postCreated(t.url, {
            action: 'create',
            entity_type: 'task',
            time: '2026-01-01T00:00:00Z',
            payload: { id: `fw-${i}` },
          }),
        ),
      );
      await target.nth(8);
      // Commit order is id order (ids are stamped in arrival order).
      const sent = target.requests.map(
        (r) => (JSON.parse(r.body.toString()) as { payload: { id: string } }).payload.id,
      );
      const byId = new Map(ids.map((id, i) => [id, `fw-${i}`]));
      expect(sent).toEqual([...ids].sort().map((id) => byId.get(id)));
      await waitFor(async () => (await deliveriesOf(t, ids[7] as string)).length === 1);
      expect(await deliveriesOf(t, ids[0] as string)).toEqual([
        expect.objectContaining({
          source: 'forward',
          target: `${target.url}/in`,
          status: 202,
          responseBody: 'queued',
        }),
      ]);
    } finally {
      await t.dispose();
    }
  });

  it('retries a dead target a bounded number of times with backoff, then moves on to the next event', async () => {
    const port = await deadPort();
    const t = await startTestServer({
      env: { FORWARD_TO: `http://127.0.0.1:${port}/`, FORWARD_MAX_ATTEMPTS: '3', FORWARD_RETRY_BASE: '20ms' },
    });
    try {
      const first = await postCreated(t.url, {
        action: 'create',
        entity_type: 'task',
        time: '2026-01-01T00:00:00Z',
        payload: { id: 'dead-1' },
      });
      const second = await postCreated(t.url, {
        action: 'create',
        entity_type: 'task',
        time: '2026-01-01T00:00:00Z',
        payload: { id: 'dead-2' },
      });
      // The second event's attempts begin only after the first's are over: then the first has all it gets.
      await waitFor(async () => (await deliveriesOf(t, second)).length === 3);
      const attempts = await deliveriesOf(t, first);
      expect(attempts).toHaveLength(3);
      for (const attempt of attempts) {
        expect(attempt).toMatchObject({ source: 'forward', status: null });
        expect(attempt.error).toContain('ECONNREFUSED');
      }
    } finally {
      await t.dispose();
    }
  });

  it('keeps taking webhooks while the target holds the connection, and records events past the queue as dropped', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const target = await handler((_request, response) => void held.then(() => response.end('late')));
    const t = await startTestServer({
      env: { FORWARD_TO: target.url, FORWARD_QUEUE_MAX: '3', FORWARD_TIMEOUT: '60s' },
    });
    try {
      const post = (n: number) =>
        postEvent(t.url, {
          action: 'create',
          entity_type: 'task',
          time: '2026-01-01T00:00:00Z',
          payload: { id: `stall-${n}` },
        });
      const firstId = String((await post(0)).json.id);
      await target.nth(1); // the target now holds the first event's request open
      const later = [];
      for (let n = 1; n <= 10; n++) later.push(await post(n));
      // Every webhook was answered while the target still held the first request.
      expect(later.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(target.requests).toHaveLength(1);
      const laterIds = later.map((r) => String(r.json.id));
      // Queue of 3 (the one being sent included): events 1 and 2 wait, events 3 to 10 are dropped, visibly.
      await waitFor(async () => (await deliveriesOf(t, laterIds[9] as string)).length === 1);
      for (const id of laterIds.slice(2)) {
        expect(await deliveriesOf(t, id)).toEqual([
          expect.objectContaining({
            source: 'forward',
            status: null,
            error: expect.stringContaining('forward queue was full'),
          }),
        ]);
      }
      release();
      await target.nth(3);
      expect(
        target.requests.map((r) => (JSON.parse(r.body.toString()) as { payload: { id: string } }).payload.id),
      ).toEqual(['stall-0', 'stall-1', 'stall-2']);
      await waitFor(async () => (await deliveriesOf(t, firstId)).length === 1);
      expect((await deliveriesOf(t, firstId))[0]).toMatchObject({ status: 200, responseBody: 'late' });
    } finally {
      release();
      await t.dispose();
    }
  });

  it('refuses to start with a FORWARD_TO outside FORWARD_ALLOWED_TARGETS', async () => {
    await expect(startTestServer({ env: { FORWARD_TO: 'http://10.1.2.3/hook' } })).rejects.toThrow(
      /FORWARD_TO: http:\/\/10\.1\.2\.3\/hook is not inside FORWARD_ALLOWED_TARGETS/,
    );
  });
});
