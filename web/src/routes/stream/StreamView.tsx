import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { isTypingTarget } from '../../lib/format.js';
import { useNavigate, useSearch } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';
import { FilterBar } from './FilterBar.js';
import { filtersToSearch, parseFilters } from './filters.js';
import { ROW_HEIGHT_PX, StreamRowView } from './StreamRowView.js';
import { TrafficPanel } from './TrafficPanel.js';
import { useStream } from './useStream.js';

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
