import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { ActionBadge, WarningBadge } from '../../components/Badges.js';
import type { EventAction, EventFilter } from '../../gql/graphql.js';
import { formatInstant, formatShort, isTypingTarget } from '../../lib/format.js';
import { Link, useNavigate, useSearch } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { useConnection, useServices } from '../../api/services.js';
import { summarizePayload, type StreamRow } from './buffer.js';
import {
  createStreamController,
  INITIAL_STREAM_STATE,
  type StreamController,
  type StreamState,
} from './controller.js';
import { filtersToSearch, parseFilters, toEventFilter, type StreamFilters } from './filters.js';

/** Fixed row height: the virtualizer needs no measuring, and prepends can keep the scroll anchored exactly. */
export const ROW_HEIGHT_PX = 34;
/** Free-text filters reach the URL (and the server) once typing pauses this long. */
const TYPING_DEBOUNCE_MS = 300;

const noopSubscribe = (): (() => void) => () => undefined;

/** Runs a stream controller for the given filters, recreated when they change, caught up after reconnects. */
function useStream(filters: StreamFilters): { state: StreamState; controller: StreamController | null } {
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

function emptyOf(): StreamFilters {
  return { action: '', entityType: '', entityId: '', search: '' };
}

/** The filter bar: selects apply at once, text fields after a typing pause; all of it lives in the URL. */
function FilterBar(props: { filters: StreamFilters; entityTypes: readonly string[] }): ReactNode {
  const { filters } = props;
  const [draft, setDraft] = useState(filters);
  const filtersKey = filtersToSearch(filters);
  // Back/forward or a shared link changed the URL: show what it says.
  useEffect(() => setDraft(parseFilters(filtersKey)), [filtersKey]);

  const navigate = useNavigate();
  const commit = useCallback(
    (next: StreamFilters) => navigate(hrefs.stream(filtersToSearch(next)), { replace: true }),
    [navigate],
  );
  useEffect(() => {
    if (filtersToSearch(draft) === filtersKey) return;
    const timer = setTimeout(() => commit(draft), TYPING_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, filtersKey, commit]);

  const edit = (patch: Partial<StreamFilters>): void => setDraft((current) => ({ ...current, ...patch }));
  const hasAny = filtersKey !== '';
  return (
    <form
      className="filters"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        commit(draft);
      }}
    >
      <label>
        Action
        <select
          value={draft.action}
          onChange={(event) => {
            const next = { ...draft, action: event.target.value as EventAction | '' };
            setDraft(next);
            commit(next);
          }}
        >
          <option value="">any</option>
          <option value="create">create</option>
          <option value="update">update</option>
          <option value="delete">delete</option>
        </select>
      </label>
      <label>
        Entity type
        <input
          name="entityType"
          list="entity-types"
          value={draft.entityType}
          placeholder="any"
          spellCheck={false}
          onChange={(event) => edit({ entityType: event.target.value })}
        />
        <datalist id="entity-types">
          {props.entityTypes.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </label>
      <label>
        Entity id
        <input
          name="entityId"
          value={draft.entityId}
          placeholder="any"
          spellCheck={false}
          onChange={(event) => edit({ entityId: event.target.value })}
        />
      </label>
      <label className="grow">
        Search
        <input
          name="search"
          type="search"
          value={draft.search}
          placeholder="text in the raw body"
          spellCheck={false}
          onChange={(event) => edit({ search: event.target.value })}
        />
      </label>
      <button type="button" disabled={!hasAny} onClick={() => commit(emptyOf())}>
        Clear
      </button>
    </form>
  );
}

/** One event in the stream. */
function StreamRowView(props: {
  row: StreamRow;
  selected: boolean;
  nowMs: number;
  onOpen: () => void;
}): ReactNode {
  const { nowMs } = props;
  const { event } = props.row;
  return (
    <div
      className={props.selected ? 'row selected' : 'row'}
      role="option"
      aria-selected={props.selected}
      data-testid="stream-row"
      data-event-id={event.id}
      onClick={props.onOpen}
    >
      <span className="cell time" title={`received ${formatInstant(event.receivedAt)} · time ${event.time}`}>
        {formatShort(event.receivedAt, nowMs)}
      </span>
      <span className="cell action">
        <ActionBadge action={event.action} />
      </span>
      <span className="cell type" data-testid="entity-type">
        {event.entityType}
      </span>
      <span className="cell entity">
        {/* The row opens the event: a click on its entity link must not reach the row too. */}
        <Link
          href={hrefs.entity(event.entityId)}
          title={event.entityId}
          onClick={(click) => click.stopPropagation()}
        >
          {event.entityId}
        </Link>
      </span>
      <span className="cell summary">{summarizePayload(event.payload)}</span>
      <span className="cell warn">
        <WarningBadge warnings={event.warnings} />
      </span>
    </div>
  );
}

/** The landing view: live events, newest first, filtered by the URL's query string. */
export function StreamView(): ReactNode {
  const search = useSearch();
  const navigate = useNavigate();
  const filters = useMemo(() => parseFilters(search), [search]);
  const { state, controller } = useStream(filters);
  const { rows } = state;
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: 12,
    getItemKey: (index) => rows[index]?.event.id ?? index,
  });

  // Rows prepended above a reader who scrolled down would push what they read away: shift the scroll by as much.
  const firstIdRef = useRef<string | null>(null);
  useLayoutEffect(() => {
    const element = scrollRef.current;
    const previousFirst = firstIdRef.current;
    firstIdRef.current = rows[0]?.event.id ?? null;
    if (element === null || previousFirst === null || element.scrollTop <= 0) return;
    const shift = rows.findIndex((row) => row.event.id === previousFirst);
    if (shift > 0) element.scrollTop += shift * ROW_HEIGHT_PX;
  }, [rows]);

  // Rows show the date only when it is not today; "today" is read once per render, not per row.
  const nowMs = Date.now();
  const items = virtualizer.getVirtualItems();
  const lastVisible = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (controller !== null && lastVisible >= rows.length - 20) controller.loadOlder();
  }, [controller, lastVisible, rows.length]);

  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (element !== null && controller !== null) controller.setAtTop(element.scrollTop < ROW_HEIGHT_PX);
  }, [controller]);

  const open = useCallback((id: string) => navigate(hrefs.event(id)), [navigate]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (isTypingTarget(event.target) || event.metaKey || event.ctrlKey || event.altKey) return;
      const index = selectedId === null ? -1 : rows.findIndex((row) => row.event.id === selectedId);
      if (event.key === 'Enter' && selectedId !== null) {
        event.preventDefault();
        open(selectedId);
        return;
      }
      if (event.key === 'Escape') {
        setSelectedId(null);
        return;
      }
      const down = event.key === 'j' || event.key === 'ArrowDown';
      const up = event.key === 'k' || event.key === 'ArrowUp';
      if (!down && !up) return;
      const next = down ? Math.min(rows.length - 1, index + 1) : Math.max(0, index - 1);
      event.preventDefault();
      const row = rows[next];
      if (row === undefined) return;
      setSelectedId(row.event.id);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, selectedId, open, virtualizer]);

  const entityTypes = useMemo(() => {
    const seen = new Set<string>();
    for (const row of rows) if (seen.size < 50) seen.add(row.event.entityType);
    return [...seen].sort();
  }, [rows]);

  return (
    <section className="stream" aria-label="Event stream">
      <FilterBar filters={filters} entityTypes={entityTypes} />
      <div className="stream-bar">
        {state.paused ? (
          <button type="button" className="primary" onClick={() => controller?.resume()}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => controller?.pause()}>
            Pause
          </button>
        )}
        {state.paused && (
          <span className="pending" role="status" data-testid="pending-count">
            Paused · {state.pendingCount} new {state.pendingCount === 1 ? 'event' : 'events'}
          </span>
        )}
        <span className="muted" data-testid="row-count">
          {state.loading ? 'Loading…' : `${rows.length} shown${state.hasOlder ? ', scroll for older' : ''}`}
        </span>
        {state.error !== null && (
          <span className="error" role="alert">
            {state.error}
          </span>
        )}
        <span className="muted keys">j/k or ↑/↓ to move · Enter to open · Esc to go back</span>
      </div>
      <div className="row head" aria-hidden="true">
        <span className="cell time">Received</span>
        <span className="cell action">Action</span>
        <span className="cell type">Entity type</span>
        <span className="cell entity">Entity id</span>
        <span className="cell summary">Payload</span>
        <span className="cell warn" />
      </div>
      <div
        className="stream-scroll"
        ref={scrollRef}
        onScroll={onScroll}
        data-testid="stream-list"
        role="listbox"
        aria-label="Events, newest first"
      >
        {!state.loading && rows.length === 0 && (
          <p className="empty">
            No events yet{filtersToSearch(filters) !== '' ? ' match these filters' : ''}. POST one to{' '}
            <code>/webhooks/event</code> or use “Generate mock events”.
          </p>
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (row === undefined) return null;
            return (
              <div
                key={item.key}
                className="row-slot"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT_PX }}
              >
                <StreamRowView
                  row={row}
                  selected={row.event.id === selectedId}
                  nowMs={nowMs}
                  onOpen={() => open(row.event.id)}
                />
              </div>
            );
          })}
        </div>
        {state.loadingOlder && <p className="muted loading-older">Loading older events…</p>}
      </div>
    </section>
  );
}
