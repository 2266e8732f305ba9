import { describe, expect, it } from 'vitest';
import { summarizePayload } from './buffer.js';
import { filtersToSearch, parseFilters, toEventFilter } from './filters.js';

describe('stream filters', () => {
  it('round-trips through the query string and ignores unknown actions', () => {
    const filters = { action: 'update' as const, entityType: 'task', entityId: 'a b', search: 'x&y' };
    const search = filtersToSearch(filters);
    expect(search).toBe('?action=update&type=task&entity=a+b&q=x%26y');
    expect(parseFilters(search)).toEqual(filters);
    expect(parseFilters('?action=drop&type=note').action).toBe('');
    expect(filtersToSearch(parseFilters(''))).toBe('');
  });

  it('keeps "drift only" in the URL as drift=1 and sends it as drift: true', () => {
    const filters = { action: '' as const, entityType: 'task', entityId: '', search: '', drift: true };
    expect(filtersToSearch(filters)).toBe('?type=task&drift=1');
    expect(parseFilters('?type=task&drift=1')).toEqual(filters);
    expect(parseFilters('?drift=0').drift).toBeUndefined();
    expect(toEventFilter(filters)).toEqual({ entityType: 'task', drift: true });
  });

  it('sends only the filters that are set, trimmed', () => {
    expect(toEventFilter(parseFilters(''))).toBeNull();
    expect(toEventFilter({ action: '', entityType: ' task ', entityId: '', search: '' })).toEqual({
      entityType: 'task',
    });
  });

  it('summarizes a payload on one line without its id', () => {
    expect(summarizePayload({ id: 'x', name: 'image', size: 3 })).toBe('name: "image" · size: 3');
    expect(summarizePayload({ text: 'a'.repeat(500) }).length).toBeLessThanOrEqual(160);
  });
});
