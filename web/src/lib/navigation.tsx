import { useCallback, type ReactNode } from 'react';
import { Router, useLocation, useRoute, useSearch as useRouterSearch } from 'wouter';
import {
  navigate as browserNavigate,
  usePathname,
  useSearch as useBrowserSearch,
} from 'wouter/use-browser-location';
import { BASE_PATH, decodeSegment, PATHS, type Route } from './routes.js';

/** History state of entries the app pushed: "back" may then leave a detail view by `history.back()`. */
const FROM_APP = { fromApp: true } as const;

/**
 * wouter passes the path and the query string through `decodeURI` before matching and before `useSearch`,
 * which turns an encoded `%` (`%25`) into a bare one: an id `%41` would come out as `A`. Escaping every `%`
 * once more makes that decode give back the text as the browser has it, so ids and filters are decoded
 * exactly once, by {@link decodeSegment} and `URLSearchParams`.
 */
const keepEscapes = (text: string): string => text.replaceAll('%', '%25');

/**
 * Goes to an absolute same-origin path: a push marks the entry as the app's, a replace (filter edits) keeps
 * the entry's state, and going where we already are adds no history entry.
 */
function navigateInHistory(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace === true) browserNavigate(to, { replace: true, state: window.history.state });
  else browserNavigate(to, { state: FROM_APP });
}

function useDashboardLocation(): [string, typeof navigateInHistory] {
  return [keepEscapes(usePathname()), navigateInHistory];
}

const useDashboardSearch = (): string => keepEscapes(useBrowserSearch());

/** wouter's router for the dashboard: paths under {@link BASE_PATH} on the History API. */
export function DashboardRouter({ children }: { children: ReactNode }): ReactNode {
  return (
    <Router base={BASE_PATH} hook={useDashboardLocation} searchHook={useDashboardSearch}>
      {children}
    </Router>
  );
}

/** The route the location names; ids are URI-decoded (a malformed one is not found). */
export function useCurrentRoute(): Route {
  const [isStream] = useRoute(PATHS.stream);
  const [isRejections] = useRoute(PATHS.rejections);
  const [isSchemas] = useRoute(PATHS.schemas);
  const [isEvent, eventParams] = useRoute(PATHS.event);
  const [isEntity, entityParams] = useRoute(PATHS.entity);
  if (isStream) return { name: 'stream' };
  if (isRejections) return { name: 'rejections' };
  if (isSchemas) return { name: 'schemas' };
  const eventId = isEvent ? decodeSegment(eventParams.id) : null;
  if (eventId !== null) return { name: 'event', id: eventId };
  const entityId = isEntity ? decodeSegment(entityParams.id) : null;
  if (entityId !== null) return { name: 'entity', id: entityId };
  return { name: 'notFound' };
}

/** The query string without its `?`, re-rendering when it changes. */
export const useSearch = useRouterSearch;

/** Navigates to an href of `hrefs` (relative to the base); `replace` rewrites the current entry. */
export function useNavigate(): (href: string, options?: { replace?: boolean }) => void {
  const [, navigate] = useLocation();
  return navigate;
}

/** Goes back when the previous entry is ours (keeps the list's scroll and filters), else to `fallback`. */
export function useGoBack(): (fallback: string) => void {
  const navigate = useNavigate();
  return useCallback(
    (fallback: string) => {
      const state: unknown = window.history.state;
      if (typeof state === 'object' && state !== null && 'fromApp' in state) window.history.back();
      else navigate(fallback);
    },
    [navigate],
  );
}

/** wouter's anchor: navigates without a reload, leaves modified clicks (new tab…) to the browser. */
export { Link } from 'wouter';
