// The dashboard's own operations, so that the bench measures what the dashboard sends. The one import
// of web code in the bench: keep it here.
import {
  StreamDeleteCountQuery,
  StreamEventAddedSubscription,
  StreamEventsQuery,
  StreamRow_event,
} from '../../web/src/routes/stream/operations.js';
import { TrafficChartQuery } from '../../web/src/routes/stream/TrafficChart.operations.js';

/** The dashboard's own live subscription, row fields (and their per-event warnings) included. */
export const DASHBOARD_SUBSCRIPTION = `${StreamEventAddedSubscription}\n${StreamRow_event}`;

/** The dashboard's stream query with its row fragment. */
export const DASHBOARD_STREAM_QUERY = `${StreamEventsQuery}\n${StreamRow_event}`;

/** The count the dashboard's "Delete matching…" dialog asks for (the bounded count). */
export const DASHBOARD_DELETE_COUNT_QUERY = StreamDeleteCountQuery;

/** The dashboard's traffic chart query. */
export const DASHBOARD_TRAFFIC_QUERY = TrafficChartQuery;
