import type { ReactNode } from 'react';
import { Link, useGoBack } from '../lib/navigation.js';
import { hrefs } from '../lib/routes.js';

/** Where a detail view goes back to when the reader did not come from inside the app (a shared link). */
export const BACK_FALLBACK = hrefs.stream();

/** The top of a detail view: "← Back" to where the reader came from (unless `back` is false), then the view's title. */
export function BackHeader({ children, back = true }: { children: ReactNode; back?: boolean }): ReactNode {
  const goBack = useGoBack();
  return (
    <>
      {back && (
        <p>
          <button type="button" className="link" onClick={() => goBack(BACK_FALLBACK)}>
            ← Back
          </button>
        </p>
      )}
      <h1>{children}</h1>
    </>
  );
}

/** A detail view whose subject is not (or no longer) retained: what was asked for, and a way out. */
export function NotRetained(props: { title: string; children: ReactNode }): ReactNode {
  return (
    <section className="page">
      <h1>{props.title}</h1>
      <p>{props.children}</p>
      <Link href={BACK_FALLBACK}>← Back to the stream</Link>
    </section>
  );
}
