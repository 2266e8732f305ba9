import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRfc3339, parseDurationMs, parseRfc3339 } from '../../src/shared/time.js';

// The RFC 3339 parser's refusals are tested with the webhook body (validate.test.ts); here, the writing side
// and the durations of the configuration.
describe('formatRfc3339', () => {
  it('writes UTC with milliseconds, and the parser reads back the same instant', () => {
    expect(formatRfc3339(Date.parse('2021-12-20T11:59:55.5+01:00'))).toBe('2021-12-20T10:59:55.500Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.parse('9999-12-31T23:59:59.999Z') }), (timeMs) => {
        expect(parseRfc3339(formatRfc3339(timeMs))).toEqual({ ok: true, timeMs });
      }),
    );
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['7d', 604_800_000],
    ['12h', 43_200_000],
    ['30m', 1_800_000],
    [' 45s ', 45_000],
    ['250ms', 250],
    ['0s', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '7', 'd', '1.5h', '-1s', '7 d', '1w', '10sec'])('refuses %j', (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });
});
