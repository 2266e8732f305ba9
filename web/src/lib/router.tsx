import { useCallback, useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';

/** Where every dashboard path lives (the server serves the bundle there, with an SPA fallback for deep links). */
export const BASE_PATH = '/dashboard';

/** A parsed dashboard location. */
export type Route =
  | { name: 'stream' }
  | { name: 'event'; id: string }
  | { name: 'entity'; id: string }
  | { name: 'rejections' }
  | { name: 'notFound' };

/** Parses a pathname under {@link BASE_PATH} into a route; ids are URI-decoded. */
export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE_PATH) ? pathname.slice(BASE_PATH.length) : pathname;
  const parts = rest.split('/').filter((part) => part !== '');
  const decode = (part: string): string | null => {
    try {
      return decodeURIComponent(part);
    } catch {
      return null;
    }
  };
  if (parts.length === 0) return { name: 'stream' };
  if (parts.length === 1 && parts[0] === 'rejections') return { name: 'rejections' };
  if (parts.length === 2 && parts[1] !== undefined) {
    const id = decode(parts[1]);
    if (id !== null && parts[0] === 'events') return { name: 'event', id };
    if (id !== null && parts[0] === 'entities') return { name: 'entity', id };
  }
  return { name: 'notFound' };
}

/** Builds the href of a route (ids are URI-encoded, so a hostile id cannot escape its path segment). */
export function hrefFor(route: Exclude<Route, { name: 'notFound' }>, search = ''): string {
  switch (route.name) {
    case 'stream':
      return `${BASE_PATH}/${search}`;
    case 'rejections':
      return `${BASE_PATH}/rejections`;
    case 'event':
      return `${BASE_PATH}/events/${encodeURIComponent(route.id)}`;
    case 'entity':
      return `${BASE_PATH}/entities/${encodeURIComponent(route.id)}`;
    default: {
      const never: never = route;
      return never;
    }
  }
}

const listeners = new Set<() => void>();
const notify = (): void => {
  for (const listener of listeners) listener();
};
let popstateBound = false;

function subscribe(listener: () => void): () => void {
  if (!popstateBound) {
    window.addEventListener('popstate', notify);
    popstateBound = true;
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const getHref = (): string => window.location.pathname + window.location.search;

/** Goes to a same-origin path; `replace` rewrites the current history entry (used for filter edits). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === getHref()) return;
  if (options.replace === true) window.history.replaceState(window.history.state, '', href);
  else window.history.pushState({ fromApp: true }, '', href);
  notify();
}

/** Goes back when the previous entry is ours (keeps the list's scroll and filters), else to `fallback`. */
export function goBack(fallback: string): void {
  const state: unknown = window.history.state;
  if (typeof state === 'object' && state !== null && 'fromApp' in state) window.history.back();
  else navigate(fallback);
}

/** The current pathname and query string; re-renders on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, getHref, getHref);
  const queryAt = href.indexOf('?');
  return queryAt < 0
    ? { pathname: href, search: '' }
    : { pathname: href.slice(0, queryAt), search: href.slice(queryAt) };
}

/** An anchor that navigates without reloading; modified clicks (new tab, etc.) keep the browser's behaviour. */
export function Link(props: {
  href: string;
  children: ReactNode;
  className?: string;
  title?: string;
  tabIndex?: number;
}): ReactNode {
  const { href } = props;
  const onClick = useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      event.stopPropagation();
      navigate(href);
    },
    [href],
  );
  return (
    <a
      href={href}
      onClick={onClick}
      className={props.className}
      title={props.title}
      tabIndex={props.tabIndex}
    >
      {props.children}
    </a>
  );
}
