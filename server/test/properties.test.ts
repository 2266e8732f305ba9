import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import {
  collect,
  connected,
  EXAMPLE_CREATE,
  graphql,
  postCreated,
  postEvent,
  startTestServer,
  waitFor,
  wsClient,
  type TestServer,
} from './helpers/server.js';

const ALLOWED = new Set([200, 201, 400, 401, 413, 415, 422]);

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
);

/** Bodies of every kind: raw bytes, arbitrary text, arbitrary JSON, and near-valid events. */
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 512 }).map((text) => Buffer.from(text, 'utf8')),
  fc.jsonValue({ maxDepth: 8 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8')),
  fc
    .record(
      {
        action: fc.oneof(fc.constantFrom('create', 'update', 'delete'), fc.string()),
        entity_type: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
        time: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), fc.string()),
        id: fc.oneof(fc.string(), fc.constant(null)),
        modified_fields: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
        payload: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.jsonValue()),
        __proto__: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value), 'utf8')),
);

async function post(base: string, body: Buffer, contentType: string, extra: Record<string, string> = {}) {
  const response = await fetch(`${base}/webhooks/event`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType, ...extra } : extra,
    body: new Uint8Array(body),
  });
  await response.arrayBuffer();
  return response.status;
}

const smallBodyTest = useTestServer({ env: { MAX_BODY_BYTES: '1024' } });
const defaultTest = useTestServer();

describe('property: arbitrary input at the intake', () => {
  const it = smallBodyTest;
  let witness: { id: string; raw: string };
  it.beforeAll(async ({ t }) => {
    const raw = JSON.stringify(EXAMPLE_CREATE);
    const { json } = await postEvent(t.url, raw);
    witness = { id: String(json.id), raw };
  });

  it('always answers 200/201/400/401/413/415/422, stays up, and leaves stored data intact', async ({ t }) => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(bodies, contentTypes, async (body, contentType) => {
        const status = await post(t.url, body, contentType);
        statuses.add(status);
        expect(ALLOWED.has(status)).toBe(true);
        // Whatever was stored is stored byte for byte.
        if (status === 201) {
          const stored = await graphql<{ events: { edges: { node: { raw: string } }[] } }>(
            t.url,
            '{ events(first: 1) { edges { node { raw } } } }',
          );
          expect(Buffer.from(stored.data.events.edges[0]?.node.raw ?? '', 'utf8').equals(body)).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
    // The generators reach the refusals, not only one answer.
    expect([...statuses].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const event = await graphql<{ event: { raw: string } | null }>(
      t.url,
      'query Q($id: ID!) { event(id: $id) { raw } }',
      {
        id: witness.id,
      },
    );
    expect(event.data.event?.raw).toBe(witness.raw);
  });

  it('with WEBHOOK_SECRET, arbitrary signature headers are refused with 401', async () => {
    const signed = await startTestServer({
      env: { WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    });
    try {
      const headerValue = fc.string({ maxLength: 120 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
      await fc.assert(
        fc.asyncProperty(
          bodies,
          fc.record(
            { 'webhook-id': headerValue, 'webhook-timestamp': headerValue, 'webhook-signature': headerValue },
            { requiredKeys: [] },
          ),
          async (body, headers) => {
            const status = await post(signed.url, body, 'application/json', headers);
            expect([401, 413]).toContain(status);
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      await signed.dispose();
    }
  });
});

describe('reconnecting subscriber', () => {
  const it = defaultTest;
  type Node = { id: string; receivedAt: string };
  const post = (t: TestServer, n: number) =>
    postCreated(t.url, { ...EXAMPLE_CREATE, payload: { ...EXAMPLE_CREATE.payload, id: `re-${n}` } });

  it('gets every event it missed by asking for events since its last seen one, then resubscribing', async ({
    t,
  }) => {
    const first = wsClient(t.wsUrl);
    const live = collect<{ eventAdded: Node }>(first, 'subscription { eventAdded { id receivedAt } }');
    await waitFor(() => t.server.subscriberCount('eventAdded') === 1);
    const seen = new Set<string>();
    let last: Node | null = null;
    for (let i = 0; i < 3; i++) {
      await post(t, i);
      last = (await live.next()).eventAdded;
      seen.add(last.id);
    }
    // The connection drops; events keep arriving meanwhile.
    live.dispose();
    await first.dispose();
    await waitFor(() => t.server.subscriberCount('eventAdded') === 0);
    const missed: string[] = [];
    for (let i = 3; i < 10; i++) missed.push(await post(t, i));

    // Reconnect: subscribe first (so nothing falls between), then catch up from the last seen instant.
    const second = wsClient(t.wsUrl);
    await connected(second);
    const again = collect<{ eventAdded: Node }>(second, 'subscription { eventAdded { id receivedAt } }');
    await waitFor(() => t.server.subscriberCount('eventAdded') === 1);
    const during = await post(t, 10);
    const catchUp = await graphql<{ events: { edges: { node: Node }[] } }>(
      t.url,
      'query Q($since: DateTime!) { events(filter: { since: $since }, first: 500) { edges { node { id receivedAt } } } }',
      { since: last?.receivedAt },
    );
    for (const edge of catchUp.data.events.edges) seen.add(edge.node.id);
    seen.add((await again.next()).eventAdded.id);
    for (const id of [...missed, during]) expect(seen.has(id)).toBe(true);
    again.dispose();
    await second.dispose();
  });
});
