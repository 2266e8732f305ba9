import { describe, expect } from 'vitest';
import { EXPORT_PAGE_ROWS, toExportedEvent, type ExportedEvent } from '../src/http/routes/export.js';
import { useTestServer } from './helpers/fixtures.js';
import { EXAMPLE_CREATE, EXAMPLE_UPDATE, graphql, postCreated } from './helpers/server.js';

const it = useTestServer();
const TOKEN = 'export-test-token-0123456789abcdef';
const authed = useTestServer({ env: { AUTH_TOKEN: TOKEN } });

/** GETs an export and parses it as its format says. */
async function exportEvents(base: string, query: string, init: RequestInit = {}) {
  const response = await fetch(`${base}/events/export${query}`, init);
  const text = await response.text();
  return { response, text };
}

const lines = (text: string): ExportedEvent[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportedEvent);

describe('GET /events/export', () => {
  it('streams the matching events oldest first as NDJSON with the exact raw bodies and headers', async ({
    t,
  }) => {
    // A byte order mark, non-ASCII text and odd spacing: the raw body is kept as sent, not re-serialised.
    const odd = `\uFEFF{ "action":"create","entity_type":"task","time":"2021-12-20T10:59:55Z",\n  "payload":{"id":"exp-1","name":"naïve 日本語 \\ud83d"} }`;
    const ids = [
      await postCreated(t.url, odd, { 'x-trace': 'one' }),
      await postCreated(t.url, EXAMPLE_CREATE, { 'webhook-id': 'msg_export_2' }),
      await postCreated(t.url, EXAMPLE_UPDATE),
    ];
    const { response, text } = await exportEvents(t.url, '?format=ndjson');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="hookscope-events-[0-9T-]+Z\.ndjson"$/,
    );
    const exported = lines(text).filter((e) => ids.includes(e.id));
    expect(exported.map((e) => e.id)).toEqual(ids);
    const first = exported[0] as ExportedEvent;
    expect(Buffer.from(first.raw ?? '', 'utf8')).toEqual(Buffer.from(odd, 'utf8'));
    expect(first).not.toHaveProperty('rawBase64');
    expect(first.headers?.['x-trace']).toBe('one');
    // The byte order mark the intake accepts is readable by the other reads too (it was a 500 before).
    expect((await fetch(`${t.url}/events/${first.id}`)).status).toBe(200);
    expect(first).toMatchObject({ action: 'create', entityType: 'task', entityId: 'exp-1' });
    expect(first.time).toBe('2021-12-20T10:59:55.000Z');
    expect(exported[1]?.deliveryId).toBe('msg_export_2');
    expect(exported[2]?.raw).toBe(JSON.stringify(EXAMPLE_UPDATE));
  });

  it('takes the filters of GET /events, and format=json gives the same events as one array', async ({
    t,
  }) => {
    await postCreated(t.url, EXAMPLE_UPDATE);
    const { text: ndjson } = await exportEvents(t.url, '?entityType=task&action=update');
    const tasks = lines(ndjson);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((e) => e.entityType === 'task' && e.action === 'update')).toBe(true);
    const list = (await (await fetch(`${t.url}/events?entityType=task&action=update&first=500`)).json()) as {
      events: { id: string }[];
    };
    expect(tasks.map((e) => e.id)).toEqual(list.events.map((e) => e.id).reverse());

    const { response, text } = await exportEvents(t.url, '?entityType=task&action=update&format=json');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/\.json"$/);
    expect(JSON.parse(text)).toEqual(tasks);

    const none = await exportEvents(t.url, '?entityType=nothing-like-this&format=json');
    expect(none.response.status).toBe(200);
    expect(JSON.parse(none.text)).toEqual([]);
    expect((await exportEvents(t.url, '?entityType=nothing-like-this')).text).toBe('');
  });

  it('walks past one page of the store, in order, each event once', async ({ t }) => {
    const count = EXPORT_PAGE_ROWS * 2 + 37;
    const { errors } = await graphql(t.url, 'mutation($n: Int!) { generateMockEvents(count: $n) { id } }', {
      n: count,
    });
    expect(errors).toBeUndefined();
    const exported = lines((await exportEvents(t.url, '')).text);
    const list: string[] = [];
    for (let after: string | null = ''; after !== null;) {
      const cursor: string = after === '' ? '' : `&after=${after}`;
      const answer = await fetch(`${t.url}/events?first=500${cursor}`);
      expect(answer.status, await answer.clone().text()).toBe(200);
      const page = (await answer.json()) as {
        events: { id: string }[];
        nextCursor: string | null;
      };
      list.push(...page.events.map((e) => e.id));
      after = page.nextCursor;
    }
    expect(exported.length).toBeGreaterThanOrEqual(count);
    expect(exported.map((e) => e.id)).toEqual(list.reverse());
  });

  it('refuses a bad parameter with a message naming it', async ({ t }) => {
    for (const [query, field] of [
      ['?format=csv', 'format'],
      ['?since=yesterday', 'since'],
      ['?first=3', 'first'],
    ] as const) {
      const { response, text } = await exportEvents(t.url, query);
      expect(response.status).toBe(400);
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('BAD_USER_INPUT');
      expect(body.error.message).toContain(field);
    }
  });
});

describe('GET /events/export with AUTH_TOKEN', () => {
  authed('needs the reader token like the other REST reads', async ({ t }) => {
    await postCreated(t.url, EXAMPLE_CREATE);
    expect((await exportEvents(t.url, '')).response.status).toBe(401);
    const { response, text } = await exportEvents(t.url, '', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(lines(text)).toHaveLength(1);
  });
});

describe('the exported shape of a body', () => {
  it('is base64 in rawBase64 when the stored bytes are not valid UTF-8', () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const exported = toExportedEvent({
      id: 'E1',
      sequence: '1',
      receivedAtMs: 0,
      timeMs: 0,
      action: 'create',
      entityType: 'task',
      entityId: 'x',
      modifiedFields: null,
      deliveryId: null,
      headers: null,
      raw,
    });
    expect(exported).not.toHaveProperty('raw');
    expect(Buffer.from(exported.rawBase64 ?? '', 'base64')).toEqual(raw);
  });
});
