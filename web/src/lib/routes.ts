/**
 * Where every dashboard path lives (the server serves the bundle there, with an SPA fallback for deep links).
 * The server has its own constant: the web never imports server code.
 */
export const BASE_PATH = '/dashboard';

/** The route patterns, relative to {@link BASE_PATH} (wouter's `:param` syntax). */
export const PATHS = {
  stream: '/',
  event: '/events/:id',
  entity: '/entities/:id',
  rejections: '/rejections',
  schemas: '/schemas',
} as const;

/** A parsed dashboard location. */
export type Route =
  | { name: 'stream' }
  | { name: 'event'; id: string }
  | { name: 'entity'; id: string }
  | { name: 'rejections' }
  | { name: 'schemas' }
  | { name: 'notFound' };

/**
 * Hrefs relative to {@link BASE_PATH}, as wouter's `Link` and `navigate` take them. Ids are URI-encoded,
 * so a hostile id cannot escape its path segment.
 */
export const hrefs = {
  /** The stream, with a query string of filters (`?type=task`, or `''`). */
  stream: (search = ''): string => `/${search}`,
  event: (id: string): string => `/events/${encodeURIComponent(id)}`,
  entity: (id: string): string => `/entities/${encodeURIComponent(id)}`,
  rejections: (): string => '/rejections',
  schemas: (): string => '/schemas',
};

/** The full path of a {@link hrefs} result, as the browser's address bar shows it. */
export function absoluteHref(href: string): string {
  return BASE_PATH + href;
}

/** Decodes one path segment into an id; null when it is not valid percent-encoding (the route is not found). */
export function decodeSegment(segment: string | undefined): string | null {
  if (segment === undefined) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The query IDE (GraphiQL): its own page, outside {@link BASE_PATH}, so the dashboard's bundle never carries
 * it; links to it are full page loads. */
export const QUERY_PAGE_PATH = '/graphiql';
