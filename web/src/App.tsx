import { lazy, Suspense, type ReactNode } from 'react';
import { Header } from './components/Header.js';
import { Link, useCurrentRoute } from './lib/navigation.js';
import { hrefs } from './lib/routes.js';
import { StreamView } from './routes/stream/StreamView.js';

// The landing view ships in the first bundle; the others load when first opened.
const EventDetail = lazy(() => import('./routes/event/EventDetail.js'));
const EntityView = lazy(() => import('./routes/entity/EntityView.js'));
const RejectionsView = lazy(() => import('./routes/rejections/RejectionsView.js'));
const SchemasView = lazy(() => import('./routes/schemas/SchemasView.js'));

/** The page: header plus the view the URL names. */
export function App(): ReactNode {
  const route = useCurrentRoute();
  let view: ReactNode;
  switch (route.name) {
    case 'stream':
      view = <StreamView />;
      break;
    case 'event':
      view = <EventDetail key={route.id} id={route.id} />;
      break;
    case 'entity':
      view = <EntityView key={route.id} id={route.id} />;
      break;
    case 'rejections':
      view = <RejectionsView />;
      break;
    case 'schemas':
      view = <SchemasView />;
      break;
    case 'notFound':
      view = (
        <section className="page">
          <h1>Not found</h1>
          <Link href={hrefs.stream()}>Go to the stream</Link>
        </section>
      );
      break;
    default: {
      const never: never = route;
      view = never;
    }
  }
  return (
    <>
      <Header />
      <main>
        <Suspense fallback={<p className="muted page">Loading…</p>}>{view}</Suspense>
      </main>
    </>
  );
}
