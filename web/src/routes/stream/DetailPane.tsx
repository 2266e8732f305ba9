import { lazy, Suspense, useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';
import { Link } from '../../lib/navigation.js';
import { hrefs } from '../../lib/routes.js';

// The same chunk the full-page route loads: the stream's first bundle does not grow.
const EventDetail = lazy(() => import('../event/EventDetail.js'));

/** The split view's right side: the selected event's detail beside the stream, with its full page a click away. */
export function DetailPane(props: {
  id: string;
  onClose: () => void;
  paneRef: RefObject<HTMLElement | null>;
}): ReactNode {
  const { id, paneRef } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  // Walking with j/k: each event is read from its top, not from where the previous one was scrolled to.
  useLayoutEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [id]);
  return (
    <section className="detail-pane" aria-label="Selected event" ref={paneRef} data-testid="detail-pane">
      <div className="pane-bar">
        <Link href={hrefs.event(id)}>Open full page</Link>
        <button type="button" className="link" onClick={props.onClose}>
          Close (Esc)
        </button>
      </div>
      <div className="pane-scroll" ref={scrollRef}>
        <Suspense fallback={<p className="muted page">Loading…</p>}>
          <EventDetail key={id} id={id} inPane />
        </Suspense>
      </div>
    </section>
  );
}
