import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect } from 'vitest';
import {
  missingCreateFieldDrift,
  newFieldDrift,
  newTypeDrift,
  SCHEMA_SETTLED_AFTER_EVENTS,
} from '../src/domain/schema-learning.js';
import { useTestServer } from './helpers/fixtures.js';
import { graphql, ManualClock, postCreated, startTestServer } from './helpers/server.js';

const HOUR_MS = 3_600_000;
const clock = new ManualClock();
// A long purge interval: the test decides when purges run.
const it = useTestServer({ clock, env: { PURGE_INTERVAL: '1d', EVENT_RETENTION: '2h' } });

const body = (entityType: string, action: string, payload: Record<string, unknown>, extra = {}) => ({
  action,
  entity_type: entityType,
  time: '2026-01-01T00:00:00Z',
  payload,
  ...extra,
});

const SCHEMA_QUERY = `query ($t: String!) {
  schema(entityType: $t) {
    entityType eventCount jsonSchema
    actions { action eventCount fields { path presentCount presence types { type count } example seen { count } } }
  }
}`;

interface SchemaAnswer {
  schema: {
    entityType: string;
    eventCount: number;
    jsonSchema: Record<string, unknown>;
    actions: {
      action: string;
      eventCount: number;
      fields: {
        path: string;
        presentCount: number;
        presence: number;
        types: { type: string; count: number }[];
        example: unknown;
        seen: { count: number }[];
      }[];
    }[];
  } | null;
}

const warningsOf = async (url: string, id: string): Promise<{ warnings: string[]; drift: string[] }> =>
  (
    await graphql<{ event: { warnings: string[]; drift: string[] } }>(
      url,
      'query ($id: ID!) { event(id: $id) { warnings drift } }',
      { id },
    )
  ).data.event;

describe('learned schemas through the webhook', () => {
  it('learns each field per action: types, presence, examples, and a JSON Schema the events validate against', async ({
    t,
  }) => {
    const sent = [
      body('invoice', 'create', {
        id: 'i1',
        total: 10,
        lines: [{ sku: 'a', qty: 1 }],
        customer: { name: 'Ada' },
      }),
      body('invoice', 'create', { id: 'i2', total: 12.5, lines: [], note: null }),
      body('invoice', 'update', { id: 'i1', total: 11 }, { modified_fields: ['total'] }),
      body('invoice', 'delete', { id: 'i2' }),
    ];
    for (const event of sent) await postCreated(t.url, event);
    const { data } = await graphql<SchemaAnswer>(t.url, SCHEMA_QUERY, { t: 'invoice' });
    const schema = data.schema;
    expect(schema?.eventCount).toBe(4);
    const create = schema?.actions.find((a) => a.action === 'create');
    expect(schema?.actions.map((a) => [a.action, a.eventCount])).toEqual([
      ['create', 2],
      ['update', 1],
      ['delete', 1],
    ]);
    expect(create?.fields.map((f) => [f.path, f.presentCount, f.presence, f.types, f.example])).toEqual([
      ['id', 2, 1, [{ type: 'string', count: 2 }], 'i2'],
      ['total', 2, 1, [{ type: 'number', count: 2 }], 12.5],
      ['lines', 2, 1, [{ type: 'array', count: 2 }], []],
      ['lines[]', 1, 0.5, [{ type: 'object', count: 1 }], { sku: 'a', qty: 1 }],
      ['lines[].sku', 1, 0.5, [{ type: 'string', count: 1 }], 'a'],
      ['lines[].qty', 1, 0.5, [{ type: 'number', count: 1 }], 1],
      ['customer', 1, 0.5, [{ type: 'object', count: 1 }], { name: 'Ada' }],
      ['customer.name', 1, 0.5, [{ type: 'string', count: 1 }], 'Ada'],
      ['note', 1, 0.5, [{ type: 'null', count: 1 }], null],
    ]);
    expect(create?.fields[0]?.seen).toEqual([{ count: 2 }]);

    const jsonSchema = schema?.jsonSchema as Record<string, unknown>;
    expect(jsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    expect(ajv.validateSchema(jsonSchema), JSON.stringify(ajv.errors)).toBe(true);
    const validate = ajv.compile(jsonSchema);
    for (const event of sent) expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    // `required` is what every create carried: a create without `total` does not match.
    expect(validate(body('invoice', 'create', { id: 'i3', lines: [] }))).toBe(false);

    // The same through REST: the list, one schema, and the download.
    const list = (await (await fetch(`${t.url}/schemas`)).json()) as { schemas: { entityType: string }[] };
    expect(list.schemas.map((s) => s.entityType)).toContain('invoice');
    const one = (await (await fetch(`${t.url}/schemas/invoice`)).json()) as { eventCount: number };
    expect(one.eventCount).toBe(4);
    const download = await fetch(`${t.url}/schemas/invoice.json`);
    expect(download.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="invoice.schema.json"');
    expect(await download.json()).toEqual(jsonSchema);
    const missing = await fetch(`${t.url}/schemas/nothing.json`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('warns of each kind of drift on the event that caused it, and filters the stream to them', async ({
    t,
  }) => {
    for (let i = 0; i < SCHEMA_SETTLED_AFTER_EVENTS; i++) {
      await postCreated(t.url, body('ticket', 'create', { id: `t${i}`, title: 'x', status: 'open' }));
    }
    const newField = await postCreated(
      t.url,
      body('ticket', 'update', { id: 't1', priority: 2 }, { modified_fields: ['priority'] }),
    );
    const newType = await postCreated(
      t.url,
      body('ticket', 'update', { id: 't1', status: 3 }, { modified_fields: ['status'] }),
    );
    const missing = await postCreated(t.url, body('ticket', 'create', { id: 't99', title: 'y' }));
    const clean = await postCreated(
      t.url,
      body('ticket', 'create', { id: 't100', title: 'z', status: 'open' }),
    );

    expect((await warningsOf(t.url, newField)).drift).toEqual([newFieldDrift('ticket', 'priority')]);
    expect((await warningsOf(t.url, newType)).drift).toEqual([newTypeDrift('status', 'number', ['string'])]);
    const missed = await warningsOf(t.url, missing);
    expect(missed.drift).toEqual([missingCreateFieldDrift('status', SCHEMA_SETTLED_AFTER_EVENTS)]);
    // Beside the fold's own warnings, in Event.warnings.
    expect(missed.warnings).toContain(missingCreateFieldDrift('status', SCHEMA_SETTLED_AFTER_EVENTS));
    expect(await warningsOf(t.url, clean)).toEqual({ warnings: [], drift: [] });

    const drifted = await graphql<{ events: { totalCount: number; edges: { node: { id: string } }[] } }>(
      t.url,
      '{ events(filter: { drift: true, entityType: "ticket" }) { totalCount edges { node { id } } } }',
    );
    expect(drifted.data.events.edges.map((e) => e.node.id)).toEqual([missing, newType, newField]);
    expect(drifted.data.events.totalCount).toBe(3);
    const calm = await graphql<{ events: { totalCount: number } }>(
      t.url,
      '{ events(filter: { drift: false, entityType: "ticket" }) { totalCount } }',
    );
    expect(calm.data.events.totalCount).toBe(SCHEMA_SETTLED_AFTER_EVENTS + 1);

    const rest = (await (await fetch(`${t.url}/events?drift=true&entityType=ticket`)).json()) as {
      events: { id: string; drift: string[] }[];
    };
    expect(rest.events.map((e) => e.id)).toEqual([missing, newType, newField]);
    expect(rest.events[0]?.drift).toEqual([missingCreateFieldDrift('status', SCHEMA_SETTLED_AFTER_EVENTS)]);
    const detail = (await (await fetch(`${t.url}/events/${newField}`)).json()) as { warnings: string[] };
    expect(detail.warnings).toContain(newFieldDrift('ticket', 'priority'));
    const bad = await fetch(`${t.url}/events?drift=maybe`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('drift');
  });

  it('forgets examples when their events are purged, and keeps the counts', async ({ t }) => {
    await postCreated(t.url, body('gone', 'create', { id: 'g1', size: 3 }));
    const before = (await graphql<SchemaAnswer>(t.url, SCHEMA_QUERY, { t: 'gone' })).data.schema;
    expect(before?.actions[0]?.fields.map((f) => [f.path, f.presentCount, f.example])).toEqual([
      ['id', 1, 'g1'],
      ['size', 1, 3],
    ]);
    clock.advance(3 * HOUR_MS);
    await t.server.purgeNow();
    const after = (await graphql<SchemaAnswer>(t.url, SCHEMA_QUERY, { t: 'gone' })).data.schema;
    expect(after?.eventCount).toBe(1);
    expect(after?.actions[0]?.fields.map((f) => [f.path, f.presentCount, f.example, f.seen])).toEqual([
      ['id', 1, null, []],
      ['size', 1, null, []],
    ]);
    // A later event brings a new example.
    await postCreated(t.url, body('gone', 'create', { id: 'g2', size: 4 }));
    const renewed = (await graphql<SchemaAnswer>(t.url, SCHEMA_QUERY, { t: 'gone' })).data.schema;
    expect(renewed?.actions[0]?.fields.map((f) => [f.path, f.presentCount, f.example])).toEqual([
      ['id', 2, 'g2'],
      ['size', 2, 4],
    ]);
  });
});

describe('SCHEMA_LEARNING=false', () => {
  it('learns nothing and judges no drift', async () => {
    const t = await startTestServer({ env: { SCHEMA_LEARNING: 'false' } });
    try {
      await postCreated(t.url, body('quiet', 'create', { id: 'q1' }));
      const { data } = await graphql<{ schemas: unknown[] }>(t.url, '{ schemas { entityType } }');
      expect(data.schemas).toEqual([]);
    } finally {
      await t.dispose();
    }
  });
});
