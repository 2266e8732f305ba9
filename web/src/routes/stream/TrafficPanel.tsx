import { getApolloContext } from '@apollo/client/react';
import { Component, lazy, Suspense, useContext, type ReactNode } from 'react';
import type { StreamFilters } from './filters.js';

// uPlot and the chart load in their own chunk, after the stream: the initial JavaScript stays small.
const TrafficChart = lazy(() => import('./TrafficChart.js'));

/** Keeps the stream usable when the chart cannot load (its chunk unreachable) or fails to render. */
class ChartBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render(): ReactNode {
    if (this.state.failed) return <p className="muted traffic">The traffic chart could not be shown.</p>;
    return this.props.children;
  }
}

/** The traffic chart above the stream list, loaded on first render (see TrafficChart). */
export function TrafficPanel({ filters }: { filters: StreamFilters }): ReactNode {
  // Without an API client (a view rendered alone, as unit tests do) there is no traffic to chart.
  if (useContext(getApolloContext()).client === undefined) return null;
  return (
    <ChartBoundary>
      <Suspense fallback={<div className="traffic traffic-loading" aria-hidden="true" />}>
        <TrafficChart filters={filters} />
      </Suspense>
    </ChartBoundary>
  );
}
