import { useEffect, type RefObject } from 'react';
import { isTypingTarget } from '../../lib/format.js';
import type { StreamRow } from './buffer.js';

/** Elements whose own Enter must not be taken over (but the selected row's link's is ours: it opens the event). */
const OWN_ENTER = 'a, button, summary, [role="treeitem"], [tabindex]';

/**
 * The stream's keys: j/k (and ↓/↑ outside the detail pane, where they scroll it or walk its tree) move the
 * selection, Enter opens the selected event's page, Esc clears the selection. Keys typed into a form field,
 * with a modifier, or already handled by the element they were pressed on are left alone.
 */
export function useStreamKeys(options: {
  rows: readonly StreamRow[];
  selectedId: string | null;
  select: (id: string | null) => void;
  open: (id: string) => void;
  pane: RefObject<HTMLElement | null>;
}): void {
  const { rows, selectedId, select, open, pane } = options;
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || isTypingTarget(event.target)) return;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      const target = event.target instanceof Element ? event.target : null;
      const inPane = target !== null && pane.current?.contains(target) === true;
      if (event.key === 'Enter') {
        // Another row's link keeps its own Enter: it opens (or, split, selects) the row it is on.
        const onSelectedRow =
          target?.matches('[data-row-link]') === true &&
          target.closest<HTMLElement>('[data-event-id]')?.dataset.eventId === selectedId;
        const theirs = target?.closest(OWN_ENTER) != null && !onSelectedRow;
        if (selectedId === null || theirs) return;
        event.preventDefault();
        open(selectedId);
        return;
      }
      if (event.key === 'Escape') {
        if (selectedId === null) return;
        event.preventDefault();
        // Focus inside the closing pane would fall to <body>: put it on the row that was selected instead.
        if (inPane) {
          document
            .querySelector<HTMLElement>(`[data-event-id="${CSS.escape(selectedId)}"] [data-row-link]`)
            ?.focus();
        }
        select(null);
        return;
      }
      const down = event.key === 'j' || (!inPane && event.key === 'ArrowDown');
      const up = event.key === 'k' || (!inPane && event.key === 'ArrowUp');
      if (!down && !up) return;
      event.preventDefault();
      const index = selectedId === null ? -1 : rows.findIndex((row) => row.event.id === selectedId);
      const next = rows[down ? Math.min(rows.length - 1, index + 1) : Math.max(0, index - 1)];
      if (next !== undefined) select(next.event.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, selectedId, select, open, pane]);
}
