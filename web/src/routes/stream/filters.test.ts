import { describe, expect, it } from 'vitest';
import { summarizePayload } from './buffer.js';
import { EMPTY_FILTERS, filtersToSearch, parseFilters, toEventFilter } from './filters.js';

describe('stream filters', () => {
  it('round-trips through the query string and ignores unknown actions', () => {
    const filters = {
      ...EMPTY_FILTERS,
      action: 'update' as const,
      entityType: 'task',
      entityId: 'a b',
      search: 'x&y',
    };
    const search = filtersToSearch(filters);
    expect(search).toBe('?action=update&type=task&entity=a+b&q=x%26y');
    const window = { ...EMPTY_FILTERS, since: '2026-03-02T14:02:00.000Z', until: '2026-03-02T14:03:00.000Z' };
    expect(parseFilters(filtersToSearch(window))).toEqual(window);
    expect(parseFilters(search)).toEqual(filters);
    expect(parseFilters('?action=drop&type=note').action).toBe('');
    expect(filtersToSearch(parseFilters(''))).toBe('');
  });

  it('keeps "drift only" in the URL as drift=1 and sends it as drift: true', () => {
    const filters = { ...EMPTY_FILTERS, entityType: 'task', drift: true };
    expect(filtersToSearch(filters)).toBe('?type=task&drift=1');
    expect(parseFilters('?type=task&drift=1')).toEqual(filters);
    expect(parseFilters('?drift=0').drift).toBeUndefined();
    expect(toEventFilter(filters)).toEqual({ entityType: 'task', drift: true });
  });

  it('sends only the filters that are set, trimmed', () => {
    expect(toEventFilter(parseFilters(''))).toBeNull();
    expect(toEventFilter({ ...EMPTY_FILTERS, entityType: ' task ' })).toEqual({ entityType: 'task' });
    // A since/until the API would refuse is not sent; one it accepts goes as UTC.
    expect(toEventFilter({ ...EMPTY_FILTERS, since: 'soon', until: '2026-03-02T15:02:00+01:00' })).toEqual({
      until: '2026-03-02T14:02:00.000Z',
    });
  });

  it('summarizes a payload on one line without its id', () => {
    expect(summarizePayload({ id: 'x', name: 'image', size: 3 })).toBe('name: "image" · size: 3');
    expect(summarizePayload({ text: 'a'.repeat(500) }).length).toBeLessThanOrEqual(160);
  });
});
