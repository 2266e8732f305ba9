import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useConnection, useServices } from '../../api/services.js';
import type { EventFilter } from '../../gql/graphql.js';
import {
  createStreamController,
  INITIAL_STREAM_STATE,
  type StreamController,
  type StreamState,
} from './controller.js';
import { toEventFilter, type StreamFilters } from './filters.js';

const noopSubscribe = (): (() => void) => () => undefined;

/** Runs a stream controller for the given filters, recreated when they change, caught up after reconnects. */
export function useStream(filters: StreamFilters): {
  state: StreamState;
  controller: StreamController | null;
} {
  const { streamSource } = useServices();
  const { generation } = useConnection();
  const filterKey = JSON.stringify(toEventFilter(filters));
  const [controller, setController] = useState<StreamController | null>(null);
  const generationRef = useRef(generation);
  generationRef.current = generation;
  const startedAtGeneration = useRef(generation);

  // Keyed by the filter's JSON, not by `filters` (a new object on every render).
  useEffect(() => {
    const filter = JSON.parse(filterKey) as EventFilter | null;
    const next = createStreamController({ source: streamSource, filter });
    startedAtGeneration.current = generationRef.current;
    next.start();
    setController(next);
    return () => next.dispose();
  }, [streamSource, filterKey]);

  useEffect(() => {
    if (controller === null || generation === startedAtGeneration.current) return;
    startedAtGeneration.current = generation;
    // The socket came back: fetch what was posted while it was down.
    controller.catchUp();
  }, [controller, generation]);

  const state = useSyncExternalStore(
    controller?.subscribe ?? noopSubscribe,
    controller?.getState ?? (() => INITIAL_STREAM_STATE),
  );
  return { state, controller };
}
