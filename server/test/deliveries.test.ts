import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import {
  collect,
  EXAMPLE_CREATE,
  graphql,
  ManualClock,
  postCreated,
  waitFor,
  wsClient,
  type TestServer,
} from './helpers/server.js';

// Delivery attempts as users see them: reported over GraphQL (the forward CLI's recordDelivery), read
// back on the event, live through deliveryAdded, and gone when their event goes.

const DAY_MS = 86_400_000;
const DELIVERY_FIELDS =
  'id eventId source target attemptedAt status durationMs responseBody responseTruncated error';

interface DeliveryView {
  id: string;
  eventId: string;
  source: string;
  target: string;
  attemptedAt: string;
  status: number | null;
  durationMs: number;
  responseBody: string | null;
  responseTruncated: boolean;
  error: string | null;
}

const RECORD = `mutation Record($input: DeliveryInput!) { recordDelivery(input: $input) { ${DELIVERY_FIELDS} } }`;

async function record(t: TestServer, input: Record<string, unknown>) {
  return graphql<{ recordDelivery: DeliveryView | null }>(t.url, RECORD, { input });
}

async function deliveriesOf(t: TestServer, id: string): Promise<DeliveryView[] | null> {
  const result = await graphql<{ event: { deliveries: DeliveryView[] } | null }>(
    t.url,
    `query ($id: ID!) { event(id: $id) { deliveries { ${DELIVERY_FIELDS} } } }`,
    { id },
  );
  expect(result.errors).toBeUndefined();
  return result.data.event?.deliveries ?? null;
}

const clock = new ManualClock();
const it = useTestServer({ clock, env: { PURGE_INTERVAL: '1d' } });

describe('recordDelivery (the forward CLI reports an answer)', () => {
  it("stores the answer, lists it on the event oldest first and publishes it to that event's subscribers", async ({
    t,
  }) => {
    const eventId = await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'dlv-1' } });
    const otherId = await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'dlv-2' } });
    const client = wsClient(t.wsUrl);
    try {
      const mine = collect<{ deliveryAdded: DeliveryView }>(
        client,
        `subscription ($eventId: ID) { deliveryAdded(eventId: $eventId) { ${DELIVERY_FIELDS} } }`,
        { eventId },
      );
      const all = collect<{ deliveryAdded: DeliveryView }>(
        client,
        `subscription { deliveryAdded { id eventId } }`,
      );
      await waitFor(() => t.server.subscriberCount('deliveryAdded') === 2);

      const ok = await record(t, {
        eventId,
        target: 'http://localhost:3000/webhook',
        status: 200,
        durationMs: 12,
        responseBody: '{"ok":true}',
      });
      expect(ok.errors).toBeUndefined();
      expect(ok.data.recordDelivery).toMatchObject({
        eventId,
        source: 'cli',
        target: 'http://localhost:3000/webhook',
        status: 200,
        durationMs: 12,
        responseBody: '{"ok":true}',
        responseTruncated: false,
        error: null,
      });
      // The report arrives after the attempt: it began its duration before now.
      expect(ok.data.recordDelivery?.attemptedAt).toBe(new Date(clock.ms - 12).toISOString());
      await record(t, {
        eventId: otherId,
        target: 'http://localhost:3000/webhook',
        status: 204,
        durationMs: 1,
      });
      clock.advance(1_000);
      const refused = await record(t, {
        eventId,
        target: 'http://localhost:3000/webhook',
        status: null,
        durationMs: 3,
        error: 'connect ECONNREFUSED 127.0.0.1:3000',
      });
      expect(refused.data.recordDelivery).toMatchObject({ status: null, responseBody: null });

      expect((await mine.next()).deliveryAdded).toEqual(ok.data.recordDelivery);
      expect((await mine.next()).deliveryAdded).toEqual(refused.data.recordDelivery);
      expect((await all.next()).deliveryAdded.eventId).toBe(eventId);
      expect((await all.next()).deliveryAdded.eventId).toBe(otherId);
      expect((await all.next()).deliveryAdded.eventId).toBe(eventId);
      expect(await deliveriesOf(t, eventId)).toEqual([ok.data.recordDelivery, refused.data.recordDelivery]);
      expect((await deliveriesOf(t, otherId))?.map((d) => d.status)).toEqual([204]);
      mine.dispose();
      all.dispose();
    } finally {
      await client.dispose();
    }
  });

  it('keeps the first 64 KiB of a response body, whole characters only, and says it was cut', async ({
    t,
  }) => {
    const eventId = await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'dlv-big' } });
    // 'é' is two bytes in UTF-8; a leading 'a' makes the 64 KiB edge fall inside one.
    const body = `a${'é'.repeat(40_000)}`;
    const result = await record(t, {
      eventId,
      target: 'http://localhost:1/x',
      status: 200,
      durationMs: 5,
      responseBody: body,
    });
    const kept = result.data.recordDelivery?.responseBody ?? '';
    expect(result.data.recordDelivery?.responseTruncated).toBe(true);
    expect(Buffer.byteLength(kept, 'utf8')).toBe(64 * 1024 - 1);
    expect(body.startsWith(kept)).toBe(true);
    const exact = 'b'.repeat(64 * 1024);
    const fits = await record(t, {
      eventId,
      target: 'http://localhost:1/x',
      status: 200,
      durationMs: 5,
      responseBody: exact,
    });
    expect(fits.data.recordDelivery).toMatchObject({ responseBody: exact, responseTruncated: false });
  });

  it('answers NOT_FOUND for an unknown event and BAD_USER_INPUT naming the field for bad input, storing nothing', async ({
    t,
  }) => {
    const unknown = await record(t, {
      eventId: 'no-such-event',
      target: 'http://localhost:1/',
      status: 200,
      durationMs: 1,
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.errors?.[0]?.message).toBe('input.eventId: no retained event with id "no-such-event"');

    const eventId = await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'dlv-bad' } });
    const cases: [Record<string, unknown>, string][] = [
      [{ target: 'not a url' }, 'input.target'],
      [{ target: 'ftp://localhost/x' }, 'input.target'],
      [{ status: 42 }, 'input.status'],
      [{ durationMs: -1 }, 'input.durationMs'],
      [{ status: null, error: null }, 'input.error'],
      [{ eventId: '' }, 'input.eventId'],
    ];
    for (const [change, field] of cases) {
      const result = await record(t, {
        eventId,
        target: 'http://localhost:1/',
        status: 200,
        durationMs: 1,
        ...change,
      });
      const error = result.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(change)).toBe('BAD_USER_INPUT');
      expect(error?.message.startsWith(`${field}: `)).toBe(true);
    }
    expect(await deliveriesOf(t, eventId)).toEqual([]);
  });

  it("lets an event's deliveries go with it: hidden once it expires, deleted by the purge, refused after", async ({
    t,
  }) => {
    const eventId = await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'dlv-old' } });
    clock.advance(60_000);
    const youngId = await postCreated(t.url, { ...EXAMPLE_CREATE, payload: { id: 'dlv-young' } });
    for (const id of [eventId, youngId]) {
      expect(
        (await record(t, { eventId: id, target: 'http://localhost:1/', status: 200, durationMs: 1 })).errors,
      ).toBeUndefined();
    }
    clock.advance(7 * DAY_MS - 30_000); // the first event is past the 7 days, the second is not
    expect(await deliveriesOf(t, eventId)).toBeNull();
    const late = await record(t, { eventId, target: 'http://localhost:1/', status: 200, durationMs: 1 });
    expect(late.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.server.purgeNow()).eventCount).toBeGreaterThanOrEqual(1);
    expect(await deliveriesOf(t, youngId)).toHaveLength(1);
  });
});
