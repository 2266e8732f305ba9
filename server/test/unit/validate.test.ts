import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/domain/json.js';
import { parseRfc3339 } from '../../src/shared/time.js';
import type { ParseResult } from '../../src/domain/types.js';
import { parseWebhookBody } from '../../src/domain/validate.js';

const CREATE_EXAMPLE = `{"action": "create", "entity_type": "component", "time": "2021-12-20T10:59:55Z",
 "payload": {"id": "25589645-cd89-44bb-8954-6b4ee87aa57f", "name": "image name", "file_type": "jpeg"}}`;
const UPDATE_EXAMPLE = `{"action": "update", "entity_type": "task", "time": "2021-12-21T08:51:22Z",
 "id": "25589645-cd89-44bb-8954-6b4ee87aa57f", "modified_fields": ["assignee"],
 "payload": {"name": "task name", "assignee_id": "5428abf6-0f4c-4448-b619-fc9f4327619b"}}`;

const ID = '25589645-cd89-44bb-8954-6b4ee87aa57f';

function parse(body: string | object): ParseResult {
  return parseWebhookBody(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

function update(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'update',
    entity_type: 'task',
    time: '2021-12-21T08:51:22Z',
    id: ID,
    modified_fields: ['name'],
    payload: { name: 'x' },
    ...overrides,
  };
}

function refusal(result: ParseResult): Extract<ParseResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.event)}`);
  return result;
}

describe('parseWebhookBody: the examples of the issue', () => {
  it('accepts the create example, with the entity id from payload.id', () => {
    const result = parse(CREATE_EXAMPLE);
    expect(result).toMatchObject({
      ok: true,
      event: {
        action: 'create',
        entityType: 'component',
        entityId: ID,
        timeMs: Date.UTC(2021, 11, 20, 10, 59, 55),
        modifiedFields: null,
        payload: { id: ID, name: 'image name', file_type: 'jpeg' },
      },
    });
  });

  it('accepts the update example, with the entity id from the top-level id', () => {
    const result = parse(UPDATE_EXAMPLE);
    expect(result).toMatchObject({
      ok: true,
      event: {
        action: 'update',
        entityType: 'task',
        entityId: ID,
        timeMs: Date.UTC(2021, 11, 21, 8, 51, 22),
        modifiedFields: ['assignee'],
      },
    });
  });

  it('keeps unknown top-level fields in the body and does not refuse them', () => {
    const result = parse(update({ source: 'studio', retry: 2 }));
    expect(result.ok && result.body).toMatchObject({ source: 'studio', retry: 2 });
  });

  it('accepts a leading byte order mark', () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CREATE_EXAMPLE)]);
    expect(parseWebhookBody(raw).ok).toBe(true);
  });
});

describe('parseWebhookBody: 400 refusals', () => {
  it('refuses invalid UTF-8', () => {
    const raw = Buffer.concat([Buffer.from('{"action": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(parseWebhookBody(raw)).toMatchObject({ ok: false, status: 400, code: 'INVALID_UTF8' });
  });

  it('refuses an empty body', () => {
    expect(parse('  ')).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('says where the JSON breaks', () => {
    const result = refusal(parse('{\n  "action": "create",\n  "time": }'));
    expect(result).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(result.message).toContain('line 3 column 11 (position 34)');
    expect(result.issues).toEqual([{ path: '', message: result.message }]);
  });

  it.each([
    ['{"a":1,}', 'position 7'],
    ['{"a":1', 'end of input'],
    ['{"a":"\\x"}', 'valid escape'],
    ['{"a":tru}', '"true"'],
    ['{"a":01}', "','"],
    ['{} {}', 'the end of the input'],
  ])('locates the syntax error in %s', (text, expected) => {
    const result = refusal(parse(text));
    expect(result.code).toBe('MALFORMED_JSON');
    expect(result.message).toContain(expected);
  });

  it.each([
    ['[]', 'an array'],
    ['null', 'null'],
    ['"create"', 'string "create"'],
    ['42', 'number 42'],
  ])('refuses a top level that is not an object: %s', (text, got) => {
    const result = refusal(parse(text));
    expect(result).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(result.message).toBe(`the top level must be a JSON object, got ${got}`);
  });

  it('refuses nesting deeper than maxDepth before parsing, and accepts exactly maxDepth', () => {
    const nested = (depth: number): string => `{"p":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(refusal(parse(nested(65)))).toMatchObject({ status: 400, code: 'TOO_DEEP' });
    expect(refusal(parse(nested(64))).code).toBe('INVALID_EVENT');
    expect(parseWebhookBody(Buffer.from(nested(5)), { maxDepth: 4 })).toMatchObject({ code: 'TOO_DEEP' });
  });

  it('does not count brackets inside strings (escaped quotes included) as nesting', () => {
    const tricky = `[[[[[[[[[[\\"]]]]]]`.repeat(20);
    const result = parse(update({ payload: { name: tricky } }));
    expect(result.ok).toBe(true);
  });

  it('survives a body nested a million levels deep without overflowing the stack', () => {
    const result = parse('['.repeat(1_000_000));
    expect(result).toMatchObject({ ok: false, code: 'TOO_DEEP' });
  });
});

describe('parseWebhookBody: 422 rule breaks', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['action missing', { action: undefined }, 'action', 'required'],
    [
      'action unknown',
      { action: 'upsert' },
      'action',
      'must be one of create, update, delete, got string "upsert"',
    ],
    ['entity_type missing', { entity_type: undefined }, 'entity_type', 'required'],
    ['entity_type empty', { entity_type: '' }, 'entity_type', 'must be a non-empty string'],
    ['entity_type too long', { entity_type: 'x'.repeat(65) }, 'entity_type', 'must be at most 64 characters'],
    ['entity_type number', { entity_type: 3 }, 'entity_type', 'must be a string, got number 3'],
    ['time missing', { time: undefined }, 'time', 'required'],
    ['time without zone', { time: '2021-12-21T08:51:22' }, 'time', 'must be an RFC 3339 date-time'],
    ['time date only', { time: '2021-12-21' }, 'time', 'must be an RFC 3339 date-time'],
    ['time as number', { time: 1640076682000 }, 'time', 'got number 1640076682000'],
    ['payload missing', { payload: undefined }, 'payload', 'required'],
    ['payload array', { payload: [] }, 'payload', 'must be a JSON object, got an array'],
    ['payload null', { payload: null }, 'payload', 'must be a JSON object, got null'],
    ['id number', { id: 42 }, 'id', 'must be a string, got number 42 (ids are strings: send "42")'],
    ['id empty', { id: '' }, 'id', 'must be a non-empty string'],
    ['ids disagree', { payload: { id: 'other' } }, 'id', `must agree with payload.id ("${ID}" ≠ "other")`],
    ['no id at all', { id: undefined }, 'id', 'required (or payload.id)'],
    ['payload.id number', { payload: { id: 7 } }, 'payload.id', 'must be a string, got number 7'],
    ['modified_fields null', { modified_fields: null }, 'modified_fields', 'must be an array of field names'],
    ['modified_fields string', { modified_fields: 'name' }, 'modified_fields', 'must be an array'],
    ['modified_fields element', { modified_fields: ['a', 2] }, 'modified_fields.1', 'must be a string'],
  ])('%s → 422 at its path', (_name, overrides, path, message) => {
    const result = refusal(parse(update(overrides)));
    expect(result).toMatchObject({ status: 422, code: 'INVALID_EVENT' });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.path).toBe(path);
    expect(result.issues[0]?.message).toContain(message);
    expect(result.message).toBe(`${path}: ${result.issues[0]?.message ?? ''}`);
  });

  it('requires payload.id on a create, even when a top-level id is given', () => {
    const create = {
      action: 'create',
      entity_type: 'task',
      time: '2021-12-21T08:51:22Z',
      payload: { name: 'n' },
    };
    expect(refusal(parse(create)).issues).toEqual([{ path: 'payload.id', message: 'required' }]);
    const withTop = refusal(parse({ ...create, id: ID }));
    expect(withTop.issues[0]?.path).toBe('payload.id');
    expect(withTop.issues[0]?.message).toMatch(/^required: a create carries its entity id in payload.id/);
  });

  it('takes a delete id from payload.id when there is no top-level id', () => {
    const result = parse({ ...update({ action: 'delete', id: undefined }), payload: { id: 'abc' } });
    expect(result.ok && result.event.entityId).toBe('abc');
  });

  it('checks a create top-level id against payload.id too', () => {
    const create = {
      action: 'create',
      entity_type: 't',
      time: '2021-12-21T08:51:22Z',
      id: 'a',
      payload: { id: 'b' },
    };
    expect(refusal(parse(create)).issues).toEqual([
      { path: 'id', message: 'must agree with payload.id ("a" ≠ "b")' },
    ]);
  });

  it('lists every problem, in field order, and summarizes them in the message', () => {
    const result = refusal(
      parse({
        modified_fields: [1],
        payload: { id: 'x' },
        id: 'y',
        time: '2021-02-30T10:00:00Z',
        action: 'nope',
      }),
    );
    expect(result.issues.map((issue) => issue.path)).toEqual([
      'action',
      'entity_type',
      'time',
      'id',
      'modified_fields.0',
    ]);
    expect(result.message).toMatch(
      /^5 problems: action: must be one of .*; entity_type: required; time: impossible date/,
    );
  });

  it('counts entity_type length in characters, not UTF-16 units', () => {
    expect(parse(update({ entity_type: '😀'.repeat(64) })).ok).toBe(true);
    expect(parse(update({ entity_type: '😀'.repeat(65) })).ok).toBe(false);
  });
});

describe('time: RFC 3339 with impossible dates refused', () => {
  it.each([
    ['2021-02-30T10:00:00Z', 'impossible date: 2021-02-30 (February 2021 has 28 days)'],
    ['2021-02-29T10:00:00Z', 'impossible date: 2021-02-29 (February 2021 has 28 days)'],
    ['1900-02-29T10:00:00Z', 'impossible date: 1900-02-29 (February 1900 has 28 days)'],
    ['2021-04-31T10:00:00Z', 'impossible date: 2021-04-31 (April 2021 has 30 days)'],
    ['2021-13-01T10:00:00Z', 'impossible date: month 13 (must be 01-12)'],
    ['2021-00-10T10:00:00Z', 'impossible date: month 00 (must be 01-12)'],
    ['2021-01-00T10:00:00Z', 'impossible date: 2021-01-00 (January 2021 has 31 days)'],
    ['2021-01-01T24:00:00Z', 'impossible time: hour 24 (must be 00-23)'],
    ['2021-01-01T23:60:00Z', 'impossible time: minute 60 (must be 00-59)'],
    ['2021-01-01T23:59:61Z', 'impossible time: second 61 (must be 00-59)'],
    ['2021-01-01T23:59:60Z', 'impossible time: leap second 60 is not supported'],
    ['2021-01-01T10:00:00+24:00', 'impossible time zone offset: +24:00 (must be within ±23:59)'],
    ['2021-01-01T10:00:00+05:60', 'impossible time zone offset: +05:60 (must be within ±23:59)'],
  ])('refuses %s', (time, message) => {
    expect(parseRfc3339(time)).toEqual({ ok: false, message });
    const result = refusal(parse(update({ time })));
    expect(result.issues).toEqual([{ path: 'time', message }]);
  });

  it.each([
    '2021-12-21 08:51:22Z',
    '2021-12-21T08:51Z',
    '2021-12-21T08:51:22+0100',
    '2021-12-21T08:51:22.Z',
    '21-12-21T08:51:22Z',
    ' 2021-12-21T08:51:22Z',
  ])('refuses the malformed %s', (time) => {
    expect(refusal(parse(update({ time }))).issues[0]?.message).toMatch(/^must be an RFC 3339 date-time/);
  });

  it.each<[string, number]>([
    ['2020-02-29T00:00:00Z', Date.UTC(2020, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2021-12-20T11:59:55+01:00', Date.UTC(2021, 11, 20, 10, 59, 55)],
    ['2021-12-20T05:29:55-05:30', Date.UTC(2021, 11, 20, 10, 59, 55)],
    ['2021-12-20T10:59:55-00:00', Date.UTC(2021, 11, 20, 10, 59, 55)],
    ['2021-12-20t10:59:55.5z', Date.UTC(2021, 11, 20, 10, 59, 55, 500)],
    ['2021-12-20T10:59:55.123456789Z', Date.UTC(2021, 11, 20, 10, 59, 55, 123)],
    ['2021-12-31T23:30:00-01:00', Date.UTC(2022, 0, 1, 0, 30)],
    ['0050-06-01T00:00:00Z', Date.parse('0050-06-01T00:00:00Z')],
  ])('accepts %s', (time, expectedMs) => {
    expect(parseRfc3339(time)).toEqual({ ok: true, timeMs: expectedMs });
    const result = parse(update({ time }));
    expect(result.ok && result.event.timeMs).toBe(expectedMs);
  });

  it('agrees with Date on every valid date over four years (leap year included)', () => {
    for (let dayMs = Date.UTC(2019, 0, 1); dayMs < Date.UTC(2023, 0, 1); dayMs += 86_400_000) {
      const iso = new Date(dayMs + 45_296_789).toISOString();
      expect(parseRfc3339(iso)).toEqual({ ok: true, timeMs: dayMs + 45_296_789 });
    }
  });
});

describe('parseWebhookBody: __proto__ and constructor stay data', () => {
  it('keeps __proto__ and constructor as own properties of body and payload, never as prototypes', () => {
    const raw =
      '{"__proto__": {"polluted": true, "id": "from-proto"}, "constructor": {"prototype": {"polluted": true}},' +
      ' "action": "update", "entity_type": "task", "time": "2021-12-21T08:51:22Z",' +
      ' "payload": {"__proto__": {"admin": true}, "id": "abc", "constructor": "c"}}';
    const result = parse(raw);
    if (!result.ok) throw new Error(result.message);
    expect(result.event.entityId).toBe('abc');
    expect(Object.getPrototypeOf(result.body)).toBe(Object.prototype);
    expect(Object.hasOwn(result.body, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(result.event.payload)).toBe(Object.prototype);
    expect(Object.hasOwn(result.event.payload, '__proto__')).toBe(true);
    expect(result.event.payload['constructor']).toBe('c');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('does not take the entity id of an update from a __proto__ key', () => {
    const raw =
      '{"__proto__": {"id": "from-proto"}, "action": "update", "entity_type": "t",' +
      ' "time": "2021-12-21T08:51:22Z", "payload": {"__proto__": {"id": "p"}}}';
    expect(refusal(parse(raw)).issues).toEqual([{ path: 'id', message: 'required (or payload.id)' }]);
  });
});

describe('parseWebhookBody never throws', () => {
  const isDocumentedShape = (result: ParseResult): boolean => {
    if (result.ok) return typeof result.event.entityId === 'string' && result.event.entityId.length > 0;
    const pairs: Record<string, number> = {
      INVALID_UTF8: 400,
      MALFORMED_JSON: 400,
      TOO_DEEP: 400,
      INVALID_EVENT: 422,
    };
    return (
      pairs[result.code] === result.status &&
      result.message.length > 0 &&
      result.issues.length > 0 &&
      result.issues.every((issue) => typeof issue.path === 'string' && issue.message.length > 0)
    );
  };

  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(isDocumentedShape(parseWebhookBody(Buffer.from(bytes)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary strings, with a syntax-error position exactly when JSON.parse fails', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme' }),
          fc.json().map((s) => s.slice(0, -1)),
        ),
        (text) => {
          const result = parse(text);
          expect(isDocumentedShape(result)).toBe(true);
          let parses = true;
          try {
            JSON.parse(text);
          } catch {
            parses = false;
          }
          if (!parses && text.trim() !== '' && !result.ok)
            expect(result.message).toMatch(/^malformed JSON: unexpected/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('locates a syntax error exactly when JSON.parse refuses the text', () => {
    const nearJson = fc.oneof(
      fc.string({ unit: 'grapheme-ascii' }),
      fc
        .json()
        .chain((json) =>
          fc
            .tuple(fc.nat(json.length), fc.constantFrom('', ',', '}', ']', '"', '\\', ' ', 'x', '0'))
            .map(([at, insert]) => json.slice(0, at) + insert + json.slice(at + 1)),
        ),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(findJsonSyntaxError(text) === null).toBe(parses);
      }),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary JSON and on objects shaped like events', () => {
    const field = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom('create', 'update', 'delete', '2021-12-21T08:51:22Z'),
    );
    const eventLike = fc.record(
      { action: field, entity_type: field, time: field, id: field, payload: field, modified_fields: field },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), eventLike), (value) => {
        expect(isDocumentedShape(parse(JSON.stringify(value) ?? 'null'))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
