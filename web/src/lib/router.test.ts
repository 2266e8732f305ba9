import { describe, expect, it } from 'vitest';
import { hrefFor, parseRoute } from './router.js';

describe('router', () => {
  it('parses every dashboard path', () => {
    expect(parseRoute('/dashboard/')).toEqual({ name: 'stream' });
    expect(parseRoute('/dashboard')).toEqual({ name: 'stream' });
    expect(parseRoute('/dashboard/rejections')).toEqual({ name: 'rejections' });
    expect(parseRoute('/dashboard/events/01ABC')).toEqual({ name: 'event', id: '01ABC' });
    expect(parseRoute('/dashboard/entities/a%2Fb%20c')).toEqual({ name: 'entity', id: 'a/b c' });
    expect(parseRoute('/dashboard/entities/%E0%A4%A')).toEqual({ name: 'notFound' });
    expect(parseRoute('/dashboard/nope/1/2')).toEqual({ name: 'notFound' });
  });

  it('builds hrefs that keep hostile ids inside their path segment', () => {
    const id = 'javascript:alert(1)/../../x?y#z';
    const href = hrefFor({ name: 'entity', id });
    expect(href.startsWith('/dashboard/entities/')).toBe(true);
    expect(href).not.toMatch(/[?#]|\/\.\./);
    expect(parseRoute(href)).toEqual({ name: 'entity', id });
    expect(hrefFor({ name: 'stream' }, '?type=task')).toBe('/dashboard/?type=task');
  });
});
