import { useEffect } from 'react';
import { isTypingTarget } from '../lib/format.js';
import { useGoBack } from '../lib/navigation.js';

/** Esc leaves a detail view: back to where the reader came from, or to `fallback` on a direct link. */
export function useEscapeBack(fallback: string): void {
  const goBack = useGoBack();
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape' || isTypingTarget(event.target)) return;
      // Esc in a modal dialog (a delete confirmation) closes the dialog, not the view.
      if (event.target instanceof Element && event.target.closest('dialog[open]') !== null) return;
      event.preventDefault();
      goBack(fallback);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [fallback, goBack]);
}
