import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { NEVER, of } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConnectionStore } from '../../api/connection.js';
import { ServicesContext, type Services } from '../../api/services.js';
import { DashboardRouter } from '../../lib/navigation.js';
import { FakeStreamSource, makeEvent } from './testing.js';
import { StreamView } from './StreamView.js';

// happy-dom does no layout; give the scroll box a height so the virtualizer renders rows.
const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
});
afterAll(() => {
  if (clientHeight !== undefined) Object.defineProperty(HTMLElement.prototype, 'clientHeight', clientHeight);
});
beforeEach(() => {
  window.history.replaceState(null, '', '/dashboard/');
});

/** happy-dom's own viewport, which its `matchMedia` (and so the split view's breakpoint) follows. */
const happyDom = (window as unknown as { happyDOM: { setViewport(size: { width: number }): void } }).happyDOM;
const NARROW_WIDTH_PX = 1024;
afterEach(() => act(() => happyDom.setViewport({ width: NARROW_WIDTH_PX })));

/** Apollo for the detail pane: the fake server retains no event, so the pane says which id it asked for.
 * Everything else (the pane's subscriptions, the traffic chart's query) stays unanswered. */
const detailClient = (): ApolloClient =>
  new ApolloClient({
    cache: new InMemoryCache(),
    link: new ApolloLink((operation) =>
      operation.operationName === 'EventDetail' ? of({ data: { event: null } }) : NEVER,
    ),
  });

function renderStream(source = new FakeStreamSource()): { source: FakeStreamSource; services: Services } {
  const services: Services = {
    streamSource: source,
    connection: createConnectionStore(),
    // The stream's live events come from the fake source; nothing else here subscribes through it.
    ws: { subscribe: () => () => undefined },
    origin: 'http://localhost',
  };
  render(
    <ApolloProvider client={detailClient()}>
      <ServicesContext value={services}>
        <DashboardRouter>
          <StreamView />
        </DashboardRouter>
      </ServicesContext>
    </ApolloProvider>,
  );
  return { source, services };
}

const rowIds = (): string[] =>
  screen.queryAllByTestId('stream-row').map((row) => row.getAttribute('data-event-id') ?? '');
const selectedIds = (): string[] =>
  screen
    .queryAllByTestId('stream-row')
    .filter((row) => row.getAttribute('data-selected') === 'true')
    .map((row) => row.getAttribute('data-event-id') ?? '');
const rowLink = (id: string): HTMLElement => {
  const row = screen.getAllByTestId('stream-row').find((element) => element.dataset.eventId === id);
  if (row === undefined) throw new Error(`no row ${id}`);
  return within(row).getByRole('link', { name: /received/ });
};

describe('StreamView', () => {
  it('shows the first page, then live events newest first', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1), makeEvent(2));
    renderStream(source);
    await waitFor(() => expect(rowIds()).toEqual(['evt_000002', 'evt_000001']));
    act(() =>
      source.post(makeEvent(3, { entityType: 'component', payload: { name: '<script>alert(1)</script>' } })),
    );
    await waitFor(() => expect(rowIds()[0]).toBe('evt_000003'));
    const newest = screen.getAllByTestId('stream-row')[0];
    expect(newest?.querySelector('.summary')).toHaveTextContent(/^name: "<script>alert\(1\)<\/script>"$/);
    expect(document.querySelector('script')).toBeNull();
  });

  it('batches a burst of live events into one frame', async () => {
    const { source } = renderStream();
    await waitFor(() => expect(screen.getByTestId('row-count')).toHaveTextContent(/^0 shown$/));
    act(() => {
      for (let n = 1; n <= 30; n++) source.post(makeEvent(n));
    });
    // Posted synchronously, nothing is rendered until the next animation frame.
    expect(rowIds()).toEqual([]);
    await waitFor(() => expect(screen.getByTestId('row-count').textContent).toBe('30 shown'));
  });

  it('counts events that arrive while paused and shows them on resume', async () => {
    const { source } = renderStream();
    await waitFor(() => expect(screen.getByTestId('row-count').textContent).toBe('0 shown'));
    fireEvent.click(screen.getByRole('button', { name: /Pause/ }));
    act(() => {
      source.post(makeEvent(1));
      source.post(makeEvent(2));
      source.post(makeEvent(3));
    });
    await waitFor(() =>
      expect(screen.getByTestId('pending-count').textContent).toBe('Paused · 3 new events'),
    );
    expect(rowIds()).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: /Resume/ }));
    await waitFor(() => expect(rowIds()).toEqual(['evt_000003', 'evt_000002', 'evt_000001']));
    expect(screen.queryByTestId('pending-count')).toBeNull();
  });

  it('puts filters in the URL and resubscribes with them', async () => {
    const { source } = renderStream();
    await waitFor(() => expect(source.activeFilters()).toEqual([null]));
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'create' } });
    expect(window.location.search).toBe('?action=create');
    fireEvent.change(screen.getByLabelText('Entity type'), { target: { value: 'task' } });
    // Text filters wait for a pause in typing before they reach the URL.
    await waitFor(() => expect(window.location.search).toBe('?action=create&type=task'));
    await waitFor(() => expect(source.activeFilters()).toEqual([{ action: 'create', entityType: 'task' }]));
    act(() => {
      source.post(makeEvent(1, { action: 'create', entityType: 'task' }));
      source.post(makeEvent(2, { action: 'create', entityType: 'note' }));
    });
    await waitFor(() => expect(rowIds()).toEqual(['evt_000001']));
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(window.location.search).toBe('');
    await waitFor(() => expect(source.activeFilters()).toEqual([null]));
  });

  it('reads its filters from a shared link', async () => {
    window.history.replaceState(null, '', '/dashboard/?type=note&q=hello%20world');
    const { source } = renderStream();
    await waitFor(() =>
      expect(source.activeFilters()).toEqual([{ entityType: 'note', search: 'hello world' }]),
    );
    expect(screen.getByLabelText('Entity type')).toHaveValue('note');
    expect(screen.getByLabelText('Search')).toHaveValue('hello world');
  });

  it('moves the selection with j/k, names it in the URL and opens it with Enter', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1), makeEvent(2), makeEvent(3));
    window.history.replaceState(null, '', '/dashboard/?type=task');
    renderStream(source);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'k' });
    fireEvent.keyDown(window, { key: 'ArrowDown' });
    expect(selectedIds()).toEqual(['evt_000002']);
    expect(window.location.search).toBe('?type=task&sel=evt_000002');
    expect(rowLink('evt_000002')).toHaveAttribute('aria-current', 'true');
    // Narrow screen: a row's link is the event's page, and no pane opens beside the list.
    expect(rowLink('evt_000001')).toHaveAttribute('href', '/dashboard/events/evt_000001');
    expect(screen.queryByTestId('detail-pane')).toBeNull();
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(window.location.pathname).toBe('/dashboard/events/evt_000002');
  });

  it('leaves keys typed into a field, and Enter on another control, alone', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1), makeEvent(2));
    renderStream(source);
    await waitFor(() => expect(rowIds()).toHaveLength(2));
    fireEvent.keyDown(screen.getByLabelText('Search'), { key: 'j' });
    expect(selectedIds()).toEqual([]);
    fireEvent.keyDown(window, { key: 'j' });
    expect(selectedIds()).toEqual(['evt_000002']);
    fireEvent.keyDown(screen.getByRole('button', { name: 'Pause' }), { key: 'Enter' });
    expect(window.location.pathname).toBe('/dashboard/');
    // Enter on another row's link is that link's (the browser follows it), not the selection's.
    const other = rowLink('evt_000001');
    expect(fireEvent.keyDown(other, { key: 'Enter' })).toBe(true);
    expect(window.location.pathname).toBe('/dashboard/');
    expect(fireEvent.keyDown(rowLink('evt_000002'), { key: 'Enter' })).toBe(false);
    expect(window.location.pathname).toBe('/dashboard/events/evt_000002');
    window.history.replaceState(null, '', '/dashboard/?sel=evt_000002');
    await waitFor(() => expect(selectedIds()).toEqual(['evt_000002']));
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(selectedIds()).toEqual([]);
    expect(window.location.search).toBe('');
  });

  it('on a wide screen opens the selection beside the list, follows j/k and keeps it while events stream in', async () => {
    act(() => happyDom.setViewport({ width: 1400 }));
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1), makeEvent(2), makeEvent(3));
    window.history.replaceState(null, '', '/dashboard/?action=update');
    renderStream(source);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    // The row's link selects (keeping the filters) instead of leaving the list.
    expect(rowLink('evt_000003')).toHaveAttribute('href', '/dashboard/?action=update&sel=evt_000003');
    fireEvent.click(rowLink('evt_000003'));
    expect(window.location.pathname + window.location.search).toBe(
      '/dashboard/?action=update&sel=evt_000003',
    );
    const pane = await screen.findByTestId('detail-pane');
    await within(pane).findByText('evt_000003');
    expect(within(pane).getByRole('link', { name: 'Open full page' })).toHaveAttribute(
      'href',
      '/dashboard/events/evt_000003',
    );
    fireEvent.keyDown(window, { key: 'j' });
    await within(screen.getByTestId('detail-pane')).findByText('evt_000002');
    act(() => source.post(makeEvent(4)));
    await waitFor(() => expect(rowIds()[0]).toBe('evt_000004'));
    expect(selectedIds()).toEqual(['evt_000002']);
    expect(within(screen.getByTestId('detail-pane')).getByText('evt_000002')).toBeInTheDocument();
    // (Going narrow is left to the browser test: happy-dom's matchMedia reports no change from wide to narrow.)
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('detail-pane')).toBeNull();
    expect(window.location.search).toBe('?action=update');
  });

  it("opens the entity, not the event, from a row's entity link", async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1));
    renderStream(source);
    const link = await screen.findByRole('link', { name: 'ent-1' });
    expect(link).toHaveAttribute('href', '/dashboard/entities/ent-1');
    fireEvent.click(link);
    expect(window.location.pathname).toBe('/dashboard/entities/ent-1');
  });

  it('catches up when the connection comes back', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1));
    const { services } = renderStream(source);
    act(() => services.connection.connected());
    await waitFor(() => expect(rowIds()).toEqual(['evt_000001']));
    act(() => services.connection.closed());
    source.events.push(makeEvent(2));
    act(() => services.connection.connected());
    await waitFor(() => expect(rowIds()).toEqual(['evt_000002', 'evt_000001']));
  });

  it('says "at least" when the server stops counting, and deletes every match anyway', async () => {
    const source = new FakeStreamSource();
    source.countBound = 2;
    source.events.push(makeEvent(1), makeEvent(2), makeEvent(3), makeEvent(4, { entityType: 'note' }));
    window.history.replaceState(null, '', '/dashboard/?type=task');
    renderStream(source);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    fireEvent.click(screen.getByRole('button', { name: 'Delete matching…' }));
    await waitFor(() =>
      expect(screen.getByTestId('delete-count').textContent).toMatch(
        /^2\+ events match these filters, including any not loaded on screen\. \(The server stops counting there; every match is deleted\.\)/,
      ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Delete 2+ events' }));
    await waitFor(() => expect(rowIds()).toEqual([]));
    expect(screen.getByTestId('delete-outcome').textContent).toBe('Deleted 3 events.');
    expect(source.events.map((event) => event.entityType)).toEqual(['note']);
  });

  it('clears all behind a dialog that says how many the server counts; cancel keeps everything', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1), makeEvent(2), makeEvent(3));
    renderStream(source);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    fireEvent.click(screen.getByRole('button', { name: 'Clear all…' }));
    await waitFor(() => expect(screen.getByTestId('delete-count').textContent).toMatch(/^All 3 events/));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('delete-count')).toBeNull();
    expect(source.events).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Clear all…' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete 3 events' }));
    await waitFor(() => expect(rowIds()).toEqual([]));
    expect(source.events).toEqual([]);
    expect(screen.getByTestId('delete-outcome').textContent).toBe('Deleted 3 events.');
  });
});
