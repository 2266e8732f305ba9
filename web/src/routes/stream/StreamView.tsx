import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { useNavigate, useSearch } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { useMediaQuery } from '../../lib/useMediaQuery.js';
import { DetailPane } from './DetailPane.js';
import { ClearAllButton } from './DeleteActions.js';
import { FilterBar } from './FilterBar.js';
import { filtersToSearch, parseFilters, parseSelection, selectionSearch } from './filters.js';
import { ROW_HEIGHT_PX, StreamRowView } from './StreamRowView.js';
import { TrafficPanel } from './TrafficPanel.js';
import { useStream } from './useStream.js';
import { useStreamKeys } from './useStreamKeys.js';

/** Where the selected event's detail opens beside the list instead of on its own page (styles.css agrees). */
export const SPLIT_VIEW_QUERY = '(min-width: 1200px)';

/**
 * The landing view: live events, newest first, filtered by the URL's query string, which also names the
 * selected event (`sel`); on a wide screen the selection's detail shows beside the list.
 */
export function StreamView(): ReactNode {
  const search = useSearch();
  const navigate = useNavigate();
  const filters = useMemo(() => parseFilters(search), [search]);
  const selectedId = parseSelection(search);
  const split = useMediaQuery(SPLIT_VIEW_QUERY);
  const { state, controller } = useStream(filters);
  const { rows } = state;
  const scrollRef = useRef<HTMLDivElement>(null);
  const paneRef = useRef<HTMLElement>(null);

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
  // Selecting rewrites the history entry: "back" leaves the stream rather than walking every selection.
  const selectHref = useCallback(
    (id: string | null) => hrefs.stream(selectionSearch(filters, id)),
    [filters],
  );
  const select = useCallback(
    (id: string | null) => navigate(selectHref(id), { replace: true }),
    [navigate, selectHref],
  );
  useStreamKeys({ rows, selectedId, select, open, pane: paneRef });

  // A new selection (keys, click, a shared link once its row has loaded) is scrolled into view once;
  // rows streaming in later leave the scroll to the anchoring above.
  const scrolledToRef = useRef<string | null>(null);
  useEffect(() => {
    if (selectedId === null) scrolledToRef.current = null;
    if (selectedId === null || scrolledToRef.current === selectedId) return;
    const index = rows.findIndex((row) => row.event.id === selectedId);
    if (index < 0) return;
    scrolledToRef.current = selectedId;
    virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [rows, selectedId, virtualizer]);
  // The list can shrink under a selection it showed (the traffic chart's chunk loading above it, a
  // window resize): the selected row is brought back into view, as `align: 'auto'` leaves a visible one be.
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useEffect(() => {
    const element = scrollRef.current;
    if (element === null || selectedId === null || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      const index = rowsRef.current.findIndex((row) => row.event.id === selectedId);
      if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [selectedId, virtualizer]);
  // Focus on a row's link follows the selection (a click, then j/k): the focus ring and Enter stay on the
  // selected event. After every render, since the selected row may be rendered only once scrolled to.
  useEffect(() => {
    const active = document.activeElement;
    if (selectedId === null || !(active instanceof HTMLElement) || !active.matches('[data-row-link]')) return;
    if (active.closest<HTMLElement>('[data-event-id]')?.dataset.eventId === selectedId) return;
    scrollRef.current
      ?.querySelector<HTMLElement>(`[data-event-id="${CSS.escape(selectedId)}"] [data-row-link]`)
      ?.focus({ preventScroll: true });
  });
  const paneOpen = split && selectedId !== null;

  const entityTypes = useMemo(() => {
    const seen = new Set<string>();
    for (const row of rows) if (seen.size < 50) seen.add(row.event.entityType);
    return [...seen].sort();
  }, [rows]);

  return (
    <section className={paneOpen ? 'stream split' : 'stream'} aria-label="Event stream">
      <FilterBar filters={filters} entityTypes={entityTypes} />
      <TrafficPanel filters={filters} />
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
        <span className="muted keys">j/k or ↑/↓ to move · Enter to open · Esc to close</span>
        <ClearAllButton />
      </div>
      <div className="row head" aria-hidden="true">
        <span className="cell time">Received</span>
        <span className="cell action">Action</span>
        <span className="cell type">Entity type</span>
        <span className="cell entity">Entity id</span>
        <span className="cell summary">Payload</span>
        <span className="cell warn" />
      </div>
      <div className="stream-scroll" ref={scrollRef} onScroll={onScroll} data-testid="stream-list">
        {!state.loading && rows.length === 0 && (
          <p className="empty">
            No events yet{filtersToSearch(filters) !== '' ? ' match these filters' : ''}. POST one to{' '}
            <code>/webhooks/event</code> or use “Generate mock events”.
          </p>
        )}
        <div
          style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
          role="list"
          aria-label="Events, newest first"
        >
          {items.map((item) => {
            const row = rows[item.index];
            if (row === undefined) return null;
            return (
              <div
                key={item.key}
                className="row-slot"
                role="listitem"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT_PX }}
              >
                <StreamRowView
                  row={row}
                  selected={row.event.id === selectedId}
                  nowMs={nowMs}
                  href={split ? selectHref(row.event.id) : hrefs.event(row.event.id)}
                  selects={split}
                />
              </div>
            );
          })}
        </div>
        {state.loadingOlder && <p className="muted loading-older">Loading older events…</p>}
      </div>
      {paneOpen && <DetailPane id={selectedId} onClose={() => select(null)} paneRef={paneRef} />}
    </section>
  );
}
