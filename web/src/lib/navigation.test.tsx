import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { DashboardRouter, useCurrentRoute, useNavigate, useSearch } from './navigation.js';
import { absoluteHref, hrefs } from './routes.js';

const wrapper = ({ children }: { children: ReactNode }): ReactNode => (
  <DashboardRouter>{children}</DashboardRouter>
);

/** The route wouter finds at a browser path. */
function routeAt(path: string): ReturnType<typeof useCurrentRoute> {
  window.history.replaceState(null, '', path);
  return renderHook(() => useCurrentRoute(), { wrapper }).result.current;
}

beforeEach(() => {
  window.history.replaceState(null, '', '/dashboard/');
});

describe('dashboard routes', () => {
  it('parses every dashboard path', () => {
    expect(routeAt('/dashboard/')).toEqual({ name: 'stream' });
    expect(routeAt('/dashboard')).toEqual({ name: 'stream' });
    expect(routeAt('/dashboard/?type=task')).toEqual({ name: 'stream' });
    expect(routeAt('/dashboard/rejections')).toEqual({ name: 'rejections' });
    expect(routeAt('/dashboard/events/01ABC')).toEqual({ name: 'event', id: '01ABC' });
    expect(routeAt('/dashboard/entities/a%2Fb%20c')).toEqual({ name: 'entity', id: 'a/b c' });
    expect(routeAt('/dashboard/entities/%E0%A4%A')).toEqual({ name: 'notFound' });
    expect(routeAt('/dashboard/nope/1/2')).toEqual({ name: 'notFound' });
  });

  it('builds hrefs that keep hostile ids inside their path segment', () => {
    const id = 'javascript:alert(1)/../../x?y#z';
    const href = hrefs.entity(id);
    expect(href.startsWith('/entities/')).toBe(true);
    expect(href).not.toMatch(/[?#]|\/\.\./);
    expect(routeAt(absoluteHref(href))).toEqual({ name: 'entity', id });
    expect(absoluteHref(hrefs.stream('?type=task'))).toBe('/dashboard/?type=task');
    expect(absoluteHref(hrefs.stream())).toBe('/dashboard/');
    expect(absoluteHref(hrefs.event('e 1'))).toBe('/dashboard/events/e%201');
    expect(absoluteHref(hrefs.rejections())).toBe('/dashboard/rejections');
  });

  it('decodes ids and filters exactly once, percent signs included', () => {
    for (const id of ['100%', '%41', 'a%2Fb']) {
      expect(routeAt(absoluteHref(hrefs.event(id)))).toEqual({ name: 'event', id });
    }
    window.history.replaceState(null, '', '/dashboard/?q=%2541&type=100%25');
    const { result } = renderHook(() => new URLSearchParams(useSearch()), { wrapper });
    expect(result.current.get('q')).toBe('%41');
    expect(result.current.get('type')).toBe('100%');
  });

  it('pushes marked entries, replaces keeping the state, and ignores going where it already is', () => {
    const { result } = renderHook(() => ({ navigate: useNavigate(), route: useCurrentRoute() }), { wrapper });
    const before = window.history.length;
    act(() => result.current.navigate(hrefs.event('x')));
    expect(window.location.pathname).toBe('/dashboard/events/x');
    expect(window.history.state).toEqual({ fromApp: true });
    expect(window.history.length).toBe(before + 1);
    expect(result.current.route).toEqual({ name: 'event', id: 'x' });
    act(() => result.current.navigate(hrefs.event('x')));
    expect(window.history.length).toBe(before + 1);
    act(() => result.current.navigate(hrefs.stream('?q=a'), { replace: true }));
    expect(window.location.pathname + window.location.search).toBe('/dashboard/?q=a');
    expect(window.history.state).toEqual({ fromApp: true });
    expect(window.history.length).toBe(before + 1);
    expect(result.current.route).toEqual({ name: 'stream' });
  });
});
