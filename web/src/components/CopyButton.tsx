import { useState, type ReactNode } from 'react';

/** Copies text to the clipboard and says whether it worked (the clipboard needs a secure context). */
export function CopyButton(props: { text: string; label: string }): ReactNode {
  const [result, setResult] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      onClick={() => {
        const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
        if (clipboard === undefined) {
          setResult('failed');
          return;
        }
        clipboard.writeText(props.text).then(
          () => setResult('copied'),
          () => setResult('failed'),
        );
      }}
    >
      {result === 'copied'
        ? 'Copied ✓'
        : result === 'failed'
          ? 'Copy failed: select the text below'
          : props.label}
    </button>
  );
}
