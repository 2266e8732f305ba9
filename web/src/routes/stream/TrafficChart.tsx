import { useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import {
  TrafficChartDocument,
  TrafficChartStatsChangedDocument,
  type TrafficChartQuery,
  type TrafficSplit,
} from '../../gql/graphql.js';
import { useConnection } from '../../api/services.js';
import { formatInstant } from '../../lib/format.js';
import { useNavigate } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { filterInstant, filtersToSearch, type StreamFilters } from './filters.js';
import './TrafficChart.css';

/**
 * New events, refusals and purges mark the chart stale; it refetches at most this often. The server
 * answers from kept counts in a few ms, and refetching (rather than adding the stream's own events to
 * the last bar) stays right when the stream is filtered, when several buckets change, and after purges
 * and deletes, which the stream's messages do not describe.
 */
export const TRAFFIC_REFRESH_MS = 2_000;
/** The chart's height in px (the canvas; the caption and legend are below it). */
const CHART_HEIGHT_PX = 120;

const ACTION_COLORS: Record<string, string> = { create: '#1a7f37', update: '#1f5fd1', delete: '#c0362c' };
const PALETTE = ['#1f5fd1', '#1a7f37', '#b35900', '#7c3aed', '#0e7490', '#be185d', '#4d7c0f', '#64748b'];
const REFUSED_COLOR = '#8a1c1c';

type Traffic = TrafficChartQuery['traffic'];

/** The split keys over the whole window, largest total first, each with its colour, total and column. */
function seriesKeys(traffic: Traffic, splitBy: TrafficSplit) {
  const totals = traffic.keys.map((key, column) => ({
    key,
    column,
    total: traffic.buckets.reduce((n, bucket) => n + (bucket.counts[column] ?? 0), 0),
  }));
  return totals
    .sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1))
    .map((series, i) => ({
      ...series,
      color:
        splitBy === 'ACTION'
          ? (ACTION_COLORS[series.key] ?? '#64748b')
          : (PALETTE[i % PALETTE.length] as string),
    }));
}

/**
 * uPlot's data: x = bucket starts (ms, `since` + i × `bucketSeconds`); then one series per key, stacked
 * by drawing each as the sum of itself and every key after it, the tallest first (so each key's own part
 * shows); then the refusals.
 */
function plotData(traffic: Traffic, keys: { column: number }[]): uPlot.AlignedData {
  const fromMs = Date.parse(traffic.since);
  const bucketMs = traffic.bucketSeconds * 1000;
  const xs = traffic.buckets.map((_, i) => fromMs + i * bucketMs);
  const stacked = keys.map((_, i) =>
    traffic.buckets.map((bucket) => {
      let sum = 0;
      for (const { column } of keys.slice(i)) sum += bucket.counts[column] ?? 0;
      return sum === 0 ? null : sum;
    }),
  );
  // Buckets without a refusal have no point, so the line marks only the minutes (hours) that had some.
  return [xs, ...stacked, traffic.buckets.map((b) => (b.rejections === 0 ? null : b.rejections))];
}

/** The chart's options for the given keys; `onSelect` gets the dragged range (ms). */
function plotOptions(
  width: number,
  traffic: Traffic,
  keys: { key: string; color: string }[],
  onSelect: (fromMs: number, toMs: number) => void,
): uPlot.Options {
  const bars = uPlot.paths.bars?.({ size: [0.9, 40], align: 1 });
  const fromMs = Date.parse(traffic.since);
  const toMs = Date.parse(traffic.until);
  return {
    width,
    height: CHART_HEIGHT_PX,
    ms: 1,
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
    scales: {
      x: { time: true, range: () => [fromMs, toMs] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    axes: [
      { stroke: '#5f6b7a', grid: { show: false }, size: 28 },
      { stroke: '#5f6b7a', size: 40, grid: { stroke: 'rgba(127,127,127,0.15)' } },
    ],
    series: [
      {},
      ...keys.map(({ key, color }) => ({
        label: key,
        fill: color,
        stroke: color,
        width: 0,
        paths: bars,
        points: { show: false },
      })),
      {
        label: 'refused',
        stroke: REFUSED_COLOR,
        width: 1.5,
        dash: [4, 3],
        points: { show: true, size: 6, fill: REFUSED_COLOR },
      },
    ],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 3) return;
          const a = u.posToVal(u.select.left, 'x');
          const b = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          onSelect(a, b);
        },
      ],
    },
  };
}

/** The chart's text alternative: totals of the window, by key, and the bucket size. */
function caption(traffic: Traffic, keys: { key: string; total: number }[]): string {
  const events = keys.reduce((n, k) => n + k.total, 0);
  const refused = traffic.buckets.reduce((n, b) => n + b.rejections, 0);
  const parts = keys.map((k) => `${k.key} ${k.total}`).join(', ');
  const per = traffic.bucket.toLowerCase().replace('_', ' ');
  return (
    `${events} ${events === 1 ? 'event' : 'events'}${parts ? ` (${parts})` : ''} and ${refused} refused ` +
    `from ${formatInstant(traffic.since)} to ${formatInstant(traffic.until)}, per ${per.replace(/s$/, '')}.`
  );
}

/** Marks the chart stale whenever the counts change (arrivals, refusals, purges, deletes); refetches at most
 * every TRAFFIC_REFRESH_MS. */
function useCoalescedRefresh(refetch: () => unknown): void {
  const stale = useRef(false);
  const onData = (): void => {
    stale.current = true;
  };
  useSubscription(TrafficChartStatsChangedDocument, { onData });
  const { generation } = useConnection();
  useEffect(() => {
    // After a reconnect whatever arrived meanwhile is unknown: refresh.
    if (generation > 1) stale.current = true;
  }, [generation]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (!stale.current) return;
      stale.current = false;
      void Promise.resolve(refetch()).catch(() => undefined);
    }, TRAFFIC_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refetch]);
}

/**
 * Events over the stream's window (the retained window when since/until are unset), stacked by action
 * or entity type, refusals as a dashed line. Dragging across it sets since/until to the buckets dragged
 * over; the filter bar's Since/Until fields do the same from the keyboard.
 */
export default function TrafficChart({ filters }: { filters: StreamFilters }): ReactNode {
  const [splitBy, setSplitBy] = useState<TrafficSplit>('ACTION');
  const since = filterInstant(filters.since);
  const until = filterInstant(filters.until);
  const query = useQuery(TrafficChartDocument, {
    variables: { since, until, splitBy },
    notifyOnNetworkStatusChange: false,
  });
  useCoalescedRefresh(query.refetch);
  const traffic = query.data?.traffic ?? query.previousData?.traffic;
  const keys = useMemo(() => (traffic ? seriesKeys(traffic, splitBy) : []), [traffic, splitBy]);

  const navigate = useNavigate();
  const latest = useRef({ filters, traffic });
  latest.current = { filters, traffic };
  const host = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setWidth(Math.floor(element.clientWidth)));
    observer.observe(element);
    setWidth(Math.floor(element.clientWidth));
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = host.current;
    if (element === null || traffic === undefined || width === 0) return;
    const onSelect = (fromMs: number, toMs: number): void => {
      const current = latest.current;
      const bucketMs = (current.traffic?.bucketSeconds ?? 60) * 1000;
      // Snapped to whole buckets: the bars dragged over, each entirely.
      const sinceMs = Math.floor(fromMs / bucketMs) * bucketMs;
      const untilMs = Math.ceil(toMs / bucketMs) * bucketMs;
      const next = {
        ...current.filters,
        since: new Date(sinceMs).toISOString(),
        until: new Date(untilMs).toISOString(),
      };
      navigate(hrefs.stream(filtersToSearch(next)));
    };
    const plot = new uPlot(plotOptions(width, traffic, keys, onSelect), plotData(traffic, keys), element);
    return () => plot.destroy();
  }, [traffic, keys, width, navigate]);

  return (
    <figure className="traffic" data-testid="traffic-chart">
      <div className="traffic-head">
        <span className="traffic-title">Traffic</span>
        <div className="traffic-split" role="group" aria-label="Split the bars by">
          {(['ACTION', 'ENTITY_TYPE'] as const).map((value) => (
            <button
              key={value}
              type="button"
              aria-pressed={splitBy === value}
              className={splitBy === value ? 'current' : ''}
              onClick={() => setSplitBy(value)}
            >
              {value === 'ACTION' ? 'by action' : 'by entity type'}
            </button>
          ))}
        </div>
        <ul className="traffic-legend" aria-hidden="true">
          {keys.map((k) => (
            <li key={k.key}>
              <span className="swatch" style={{ background: k.color }} />
              {k.key}
            </li>
          ))}
          <li>
            <span className="swatch refused" />
            refused
          </li>
        </ul>
        <span className="muted traffic-hint">drag across the bars to filter the stream to that time</span>
      </div>
      <div className="traffic-plot" ref={host} aria-hidden="true" data-testid="traffic-plot" />
      <figcaption className="muted" data-testid="traffic-caption">
        {traffic === undefined
          ? query.error !== undefined
            ? 'Traffic unavailable.'
            : 'Loading traffic…'
          : caption(traffic, keys)}
      </figcaption>
    </figure>
  );
}
