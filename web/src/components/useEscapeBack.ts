import { useEffect } from 'react';
import { isTypingTarget } from '../lib/format.js';
import { useGoBack } from '../lib/navigation.js';

/** Esc leaves a detail view: back to where the reader came from, or to `fallback` on a direct link
 * (not when `enabled` is false: a detail shown beside the stream leaves Esc to the stream). */
export function useEscapeBack(fallback: string, enabled = true): void {
  const goBack = useGoBack();
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape' || isTypingTarget(event.target)) return;
      // Esc in a modal dialog (a delete confirmation) closes the dialog, not the view.
      if (event.target instanceof Element && event.target.closest('dialog[open]') !== null) return;
      event.preventDefault();
      goBack(fallback);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [fallback, goBack, enabled]);
}
