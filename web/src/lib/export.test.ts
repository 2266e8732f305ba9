import { describe, expect, it } from 'vitest';
import { exportHref } from './export.js';

describe('exportHref', () => {
  it('names every filter given, encoded, and the format', () => {
    expect(exportHref(null)).toBe('/events/export?format=ndjson');
    expect(exportHref({ entityType: 'task', search: 'a&b c', action: 'update' }, 'json')).toBe(
      '/events/export?format=json&action=update&entityType=task&search=a%26b+c',
    );
    expect(exportHref({ entityId: 'x/1', since: '2026-01-01T00:00:00.000Z' })).toBe(
      '/events/export?format=ndjson&entityId=x%2F1&since=2026-01-01T00%3A00%3A00.000Z',
    );
  });
});
