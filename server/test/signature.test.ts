import { createHmac } from 'node:crypto';
import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import { EXAMPLE_CREATE, graphql, ManualClock } from './helpers/server.js';

// The Standard Webhooks specification's published test vector (also used by the svix libraries' tests).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
// GitHub's documented example ("Validating webhook deliveries", testing the webhook payload validation).
const GITHUB = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};

const key = Buffer.from(VECTOR.secret.slice('whsec_'.length), 'base64');

function sign(id: string, timestamp: number | string, body: string, secret: Buffer = key): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

async function post(
  base: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: { error?: { code: string; message: string }; id?: string } }> {
  const response = await fetch(`${base}/webhooks/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as { id?: string } };
}

async function lastRejection(base: string): Promise<{ status: number; code: string; message: string }> {
  const result = await graphql<{
    rejections: { edges: { node: { status: number; code: string; message: string } }[] };
  }>(base, '{ rejections(first: 1) { edges { node { status code message } } } }');
  const node = result.data?.rejections.edges[0]?.node;
  if (!node) throw new Error(`no rejection recorded: ${JSON.stringify(result)}`);
  return node;
}

const clock = new ManualClock(VECTOR.timestamp * 1000);
const standardTest = useTestServer({ clock, env: { WEBHOOK_SECRET: VECTOR.secret } });
const githubTest = useTestServer({ env: { WEBHOOK_SECRET: GITHUB.secret, WEBHOOK_SIGNATURE: 'github' } });

describe('Standard Webhooks signatures (WEBHOOK_SECRET)', () => {
  const it = standardTest;

  const signed = (body: string, id: string, timestamp: number | string = Math.floor(clock.ms / 1000)) => ({
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(id, timestamp, body),
  });

  it('accepts the published test vector: the body is then judged (422: not an entity event)', async ({
    t,
  }) => {
    clock.ms = VECTOR.timestamp * 1000;
    const { status, json } = await post(t.url, VECTOR.body, {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
    expect(status).toBe(422);
    expect(json.error?.code).not.toMatch(/^SIGNATURE/);
  });

  it('stores a correctly signed event, also when another signature in the list is stale (key rotation)', async ({
    t,
  }) => {
    const body = JSON.stringify(EXAMPLE_CREATE);
    const headers = signed(body, 'msg_rotation');
    const other = sign('msg_rotation', headers['webhook-timestamp'], body, Buffer.alloc(24, 7));
    headers['webhook-signature'] = `${other} v2,ignored ${headers['webhook-signature']}`;
    const { status } = await post(t.url, body, headers);
    expect(status).toBe(201);
  });

  it('answers a replayed webhook-id with 200 and the original event, storing nothing new', async ({ t }) => {
    const body = JSON.stringify(EXAMPLE_CREATE);
    const first = await post(t.url, body, signed(body, 'msg_replayed'));
    expect(first.status).toBe(201);
    const again = await post(t.url, body, signed(body, 'msg_replayed'));
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
  });

  it('refuses a tampered body with 401 SIGNATURE_MISMATCH and records the refusal', async ({ t }) => {
    clock.ms = VECTOR.timestamp * 1000;
    const { status, json } = await post(t.url, VECTOR.body.replace('2432232314', '2432232315'), {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
    expect(status).toBe(401);
    expect(json.error?.code).toBe('SIGNATURE_MISMATCH');
    expect(await lastRejection(t.url)).toMatchObject({ status: 401, code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses a signature made with another secret', async ({ t }) => {
    const body = JSON.stringify(EXAMPLE_CREATE);
    const headers = signed(body, 'msg_wrong_secret');
    headers['webhook-signature'] = sign(
      'msg_wrong_secret',
      headers['webhook-timestamp'],
      body,
      Buffer.alloc(24, 1),
    );
    const { status, json } = await post(t.url, body, headers);
    expect(status).toBe(401);
    expect(json.error?.code).toBe('SIGNATURE_MISMATCH');
  });

  it.for(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'refuses a delivery without %s, naming the header',
    async (missing, { t }) => {
      const body = JSON.stringify(EXAMPLE_CREATE);
      const headers: Record<string, string> = signed(body, 'msg_missing');
      delete headers[missing];
      const { status, json } = await post(t.url, body, headers);
      expect(status).toBe(401);
      expect(json.error).toMatchObject({ code: 'SIGNATURE_HEADER_MISSING' });
      expect(json.error?.message).toContain(missing);
      expect(await lastRejection(t.url)).toMatchObject({ status: 401, code: 'SIGNATURE_HEADER_MISSING' });
    },
  );

  it('accepts timestamps exactly 300 s away and refuses 301 s, in the past (stale) and the future', async ({
    t,
  }) => {
    clock.ms = Date.parse('2026-03-01T12:00:00Z');
    const now = Math.floor(clock.ms / 1000);
    const body = JSON.stringify(EXAMPLE_CREATE);
    const cases: [number, number, string | undefined][] = [
      [now - 300, 201, undefined],
      [now + 300, 201, undefined],
      [now - 301, 401, 'SIGNATURE_TIMESTAMP_STALE'],
      [now + 301, 401, 'SIGNATURE_TIMESTAMP_FUTURE'],
    ];
    for (const [timestamp, expected, code] of cases) {
      const { status, json } = await post(t.url, body, signed(body, `msg_edge_${timestamp}`, timestamp));
      expect({ timestamp, status, code: json.error?.code }).toEqual({ timestamp, status: expected, code });
    }
  });

  it.for(['soon', '1614265330.5', '-1', '0x60378af2', ''])(
    'refuses the non-numeric timestamp %j',
    async (timestamp, { t }) => {
      const body = JSON.stringify(EXAMPLE_CREATE);
      const headers = signed(body, 'msg_nan', timestamp);
      const { status, json } = await post(t.url, body, headers);
      expect(status).toBe(401);
      expect(json.error?.code).toBe(
        timestamp === '' ? 'SIGNATURE_HEADER_MISSING' : 'SIGNATURE_TIMESTAMP_INVALID',
      );
    },
  );

  it('checks the signature before the content type or the JSON: an unsigned bad body is a 401', async ({
    t,
  }) => {
    const response = await fetch(`${t.url}/webhooks/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{not json',
    });
    expect(response.status).toBe(401);
  });
});

describe('GitHub signatures (WEBHOOK_SIGNATURE=github)', () => {
  const it = githubTest;

  const hub = (body: string, secret = GITHUB.secret) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it("accepts GitHub's documented example: the body is then judged (400: not JSON)", async ({ t }) => {
    const { status, json } = await post(t.url, GITHUB.body, { 'x-hub-signature-256': GITHUB.signature });
    expect(status).toBe(400);
    expect(json.error?.code).not.toMatch(/^SIGNATURE/);
  });

  it('stores a signed event and refuses tampering, a wrong secret and a missing header', async ({ t }) => {
    const body = JSON.stringify(EXAMPLE_CREATE);
    expect((await post(t.url, body, { 'x-hub-signature-256': hub(body) })).status).toBe(201);
    const tampered = await post(t.url, body.replace('image name', 'other name'), {
      'x-hub-signature-256': hub(body),
    });
    expect([tampered.status, tampered.json.error?.code]).toEqual([401, 'SIGNATURE_MISMATCH']);
    const wrong = await post(t.url, body, { 'x-hub-signature-256': hub(body, 'not the secret') });
    expect([wrong.status, wrong.json.error?.code]).toEqual([401, 'SIGNATURE_MISMATCH']);
    const missing = await post(t.url, body, {});
    expect([missing.status, missing.json.error?.code]).toEqual([401, 'SIGNATURE_HEADER_MISSING']);
    expect(missing.json.error?.message).toContain('x-hub-signature-256');
  });
});
