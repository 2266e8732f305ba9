/**
 * Every route's path, in one place: the auth guard's list of public paths is built from these, so moving a
 * route cannot silently put it behind (or out from behind) the reader credentials.
 */

/** The site's root: it redirects to the dashboard. */
export const ROOT_PATH = '/';
/** The webhook intake. Public: guarded by its signature only, never by the reader credentials. */
export const WEBHOOK_PATH = '/webhooks/event';
/** The liveness probe. Public: probes carry no secret. */
export const HEALTH_PATH = '/healthz';
/** The readiness probe (a load balancer's): 503 while draining or while the database cannot be reached. Public. */
export const READY_PATH = '/readyz';
/** The sign-in form for AUTH_TOKEN. Public. */
export const LOGIN_PATH = '/login';
/** GraphQL over HTTP (and Apollo Sandbox) and graphql-ws, on the same path. */
export const GRAPHQL_PATH = '/graphql';
/** The dashboard's home, without the trailing slash (it redirects to {@link DASHBOARD_PATH}). */
export const DASHBOARD_ROOT = '/dashboard';
/** Where the dashboard is served; its client-side routes are below it. */
export const DASHBOARD_PATH = `${DASHBOARD_ROOT}/`;
/** The query IDE (GraphiQL), served by this server so it works without internet access. */
export const GRAPHIQL_PATH = '/graphiql';
/** The REST reads. */
export const REST_PATHS = {
  events: '/events',
  /** Matching events as a file, oldest first (NDJSON or a JSON array). */
  eventsExport: '/events/export',
  event: '/events/:id',
  entity: '/entities/:id',
  aggregate: '/aggregates/:id',
  /** The seed's README spelled it so (sic): links written against it keep working, with the same answer. */
  aggregateMisspelled: '/aggrigates/:id',
  /** Learned schemas: the list, and one (`<entityType>`) or its JSON Schema (`<entityType>.json`). */
  schemas: '/schemas',
  schema: '/schemas/:name',
} as const;

/** The REST address of one event (the webhook's `Location`). */
export function eventPath(id: string): string {
  return `${REST_PATHS.events}/${encodeURIComponent(id)}`;
}
