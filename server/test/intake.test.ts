import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import { EXAMPLE_CREATE, EXAMPLE_UPDATE, graphql, postEvent, type TestServer } from './helpers/server.js';

const it = useTestServer({ env: { MAX_BODY_BYTES: '2048' } });

async function storedCount(t: TestServer): Promise<number> {
  const result = await graphql<{ events: { totalCount: number } }>(t.url, '{ events { totalCount } }');
  return result.data.events.totalCount;
}

async function latestRejection(t: TestServer) {
  const result = await graphql<{
    rejections: {
      edges: {
        node: { status: number; code: string; issues: { path: string }[]; raw: string; rawBytes: number };
      }[];
    };
  }>(t.url, '{ rejections(first: 1) { edges { node { status code issues { path } raw rawBytes } } } }');
  return result.data.rejections.edges[0]?.node;
}

describe('POST /webhooks/event', () => {
  it('accepts both example events with 201 and a Location, and they are queryable by exact raw bytes', async ({
    t,
  }) => {
    const createRaw = JSON.stringify(EXAMPLE_CREATE, null, 1);
    const created = await postEvent(t.url, createRaw);
    expect(created.status).toBe(201);
    expect(created.json.id).toEqual(expect.any(String));
    expect(created.headers.get('location')).toBe(`/events/${String(created.json.id)}`);

    const updated = await postEvent(t.url, EXAMPLE_UPDATE);
    expect(updated.status).toBe(201);

    const rest = await fetch(`${t.url}${created.headers.get('location')}`);
    expect(rest.status).toBe(200);
    const event = (await rest.json()) as Record<string, unknown>;
    expect(event).toMatchObject({
      action: 'create',
      entityType: 'component',
      entityId: EXAMPLE_CREATE.payload.id,
      time: '2021-12-20T10:59:55.000Z',
      payload: EXAMPLE_CREATE.payload,
      raw: createRaw,
    });

    const gql = await graphql<{ event: Record<string, unknown> }>(
      t.url,
      'query($id: ID!) { event(id: $id) { action entityType entityId modifiedFields payload raw } }',
      { id: updated.json.id },
    );
    expect(gql.data.event).toEqual({
      action: 'update',
      entityType: 'task',
      entityId: EXAMPLE_UPDATE.id,
      modifiedFields: ['assignee'],
      payload: EXAMPLE_UPDATE.payload,
      raw: JSON.stringify(EXAMPLE_UPDATE),
    });
  });

  it('keeps duplicate keys, big integers and unknown fields in the stored raw body', async ({ t }) => {
    const raw =
      '{"action":"create","entity_type":"note","time":"2024-01-01T00:00:00+02:00","extra":1,' +
      '"payload":{"id":"n-1","n":12345678901234567890,"k":1,"k":2}}';
    const posted = await postEvent(t.url, raw);
    expect(posted.status).toBe(201);
    const rest = (await (await fetch(`${t.url}/events/${String(posted.json.id)}`)).json()) as {
      raw: string;
      time: string;
    };
    expect(rest.raw).toBe(raw);
    expect(rest.time).toBe('2023-12-31T22:00:00.000Z');
  });

  it('answers a repeated webhook-id with 200 and the original id, storing nothing new', async ({ t }) => {
    const headers = { 'webhook-id': 'msg_repeat_1' };
    const first = await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'dup-1' } }, headers);
    expect(first.status).toBe(201);
    const before = await storedCount(t);
    const again = await postEvent(
      t.url,
      { ...EXAMPLE_CREATE, payload: { id: 'dup-1', name: 'changed' } },
      headers,
    );
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, duplicate: true });
    expect(await storedCount(t)).toBe(before);
  });

  it('refuses a delivery id longer than 512 characters with 400, and takes one of 512', async ({ t }) => {
    const before = await storedCount(t);
    const long = await postEvent(
      t.url,
      { ...EXAMPLE_CREATE, payload: { id: 'long-id' } },
      {
        'webhook-id': 'm'.repeat(513),
      },
    );
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((long.json as { error: { message: string } }).error.message).toContain('webhook-id');
    expect(await storedCount(t)).toBe(before);
    expect(await latestRejection(t)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });

    const longest = { 'webhook-id': 'm'.repeat(512) };
    const body = { ...EXAMPLE_CREATE, payload: { id: 'x'.repeat(512) } };
    expect((await postEvent(t.url, body, longest)).status).toBe(201);
    expect((await postEvent(t.url, body, longest)).status).toBe(200);
    expect(await storedCount(t)).toBe(before + 1);
  });

  it('stores concurrent deliveries of one webhook-id exactly once', async ({ t }) => {
    const headers = { 'webhook-id': 'msg_race_1' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'race-1' } }, headers),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
  });

  it.for([
    {
      name: 'a non-JSON content type',
      contentType: 'text/plain',
      body: '{}',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a missing content type',
      contentType: '',
      body: '{}',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'malformed JSON',
      contentType: 'application/json',
      body: '{"action": ',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'a top-level array',
      contentType: 'application/json',
      body: '[1,2]',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    { name: 'an empty body', contentType: 'application/json', body: '', status: 400, code: 'MALFORMED_JSON' },
  ])(
    'refuses $name with $status $code and records the refusal',
    async ({ contentType, body, status, code }, { t }) => {
      const before = await storedCount(t);
      const response = await fetch(`${t.url}/webhooks/event`, {
        method: 'POST',
        headers: contentType ? { 'content-type': contentType } : {},
        body: body === '' ? undefined : new Blob([body]),
      });
      expect(response.status).toBe(status);
      const json = (await response.json()) as { error: { code: string; message: string; issues: unknown[] } };
      expect(json.error.code).toBe(code);
      expect(json.error.message).not.toBe('');
      expect(Array.isArray(json.error.issues)).toBe(true);
      expect(await storedCount(t)).toBe(before);
      expect(await latestRejection(t)).toMatchObject({ status, code, raw: body });
    },
  );

  it('refuses a body over MAX_BODY_BYTES with 413', async ({ t }) => {
    const big = { ...EXAMPLE_CREATE, payload: { id: 'big', blob: 'x'.repeat(4096) } };
    const response = await postEvent(t.url, big);
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(await latestRejection(t)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it.for([
    { body: { ...EXAMPLE_CREATE, action: 'upsert' }, path: 'action' },
    { body: { ...EXAMPLE_CREATE, entity_type: '' }, path: 'entity_type' },
    { body: { ...EXAMPLE_CREATE, entity_type: 'x'.repeat(65) }, path: 'entity_type' },
    { body: { ...EXAMPLE_CREATE, payload: { id: 'x'.repeat(513) } }, path: 'payload.id' },
    { body: { ...EXAMPLE_UPDATE, id: 'x'.repeat(513), payload: {} }, path: 'id' },
    { body: { ...EXAMPLE_CREATE, time: '2021-02-30T10:00:00Z' }, path: 'time' },
    { body: { ...EXAMPLE_CREATE, time: '2021-12-20T10:59:55' }, path: 'time' },
    { body: { ...EXAMPLE_CREATE, payload: [] }, path: 'payload' },
    { body: { ...EXAMPLE_CREATE, payload: { name: 'no id' } }, path: 'payload.id' },
    { body: { ...EXAMPLE_UPDATE, id: 'other', payload: { id: 'mismatch' } }, path: 'id' },
    { body: { ...EXAMPLE_UPDATE, modified_fields: ['ok', 3] }, path: 'modified_fields.1' },
  ])('refuses a rule break at $path with 422 naming the path', async ({ body, path }, { t }) => {
    const before = await storedCount(t);
    const response = await postEvent(t.url, body);
    expect(response.status).toBe(422);
    const error = (response.json as { error: { code: string; issues: { path: string; message: string }[] } })
      .error;
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.issues.map((i) => i.path)).toContain(path);
    expect(await storedCount(t)).toBe(before);
    expect((await latestRejection(t))?.issues.map((i) => i.path)).toContain(path);
  });

  it('accepts an update without modified_fields (a warning, not an error)', async ({ t }) => {
    const { modified_fields: _omitted, ...body } = EXAMPLE_UPDATE;
    const response = await postEvent(t.url, { ...body, id: 'no-mf' });
    expect(response.status).toBe(201);
  });
});

describe('REST reads', () => {
  it('answers unknown ids with 404 and the JSON error body', async ({ t }) => {
    for (const path of ['/events/nope', '/entities/nope', '/aggregates/nope']) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('refuses bad query parameters with 400', async ({ t }) => {
    for (const query of ['action=upsert', 'first=9999', 'after=garbage', 'since=yesterday', 'unknown=1']) {
      const response = await fetch(`${t.url}/events?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    }
  });

  it('answers /healthz', async ({ t }) => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
