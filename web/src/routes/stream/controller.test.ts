import { describe, expect, it, vi } from 'vitest';
import { createStreamController, type FrameScheduler } from './controller.js';
import { FakeStreamSource, makeEvent } from './testing.js';

/** A frame scheduler the test advances by hand. */
function manualFrames(): { schedule: FrameScheduler; runFrame: () => void; pending: () => number } {
  let queue: Array<() => void> = [];
  return {
    schedule(callback) {
      queue.push(callback);
      return () => {
        queue = queue.filter((queued) => queued !== callback);
      };
    },
    runFrame() {
      const run = queue;
      queue = [];
      for (const callback of run) callback();
    },
    pending: () => queue.length,
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const ids = (rows: Array<{ event: { id: string } }>): string[] => rows.map((row) => row.event.id);

describe('stream controller', () => {
  it('loads the first page newest first and subscribes before fetching', async () => {
    const source = new FakeStreamSource();
    for (let n = 1; n <= 5; n++) source.events.push(makeEvent(n));
    const frames = manualFrames();
    const controller = createStreamController({ source, filter: null, schedule: frames.schedule });
    controller.start();
    expect(source.subscriptions).toHaveLength(1);
    await settle();
    expect(ids(controller.getState().rows)).toEqual([
      'evt_000005',
      'evt_000004',
      'evt_000003',
      'evt_000002',
      'evt_000001',
    ]);
    expect(controller.getState().loading).toBe(false);
  });

  it('batches live events into one update per frame', async () => {
    const source = new FakeStreamSource();
    const frames = manualFrames();
    const controller = createStreamController({ source, filter: null, schedule: frames.schedule });
    controller.start();
    await settle();
    let notifications = 0;
    controller.subscribe(() => notifications++);
    for (let n = 1; n <= 50; n++) source.post(makeEvent(n));
    expect(frames.pending()).toBe(1);
    expect(controller.getState().rows).toHaveLength(0);
    frames.runFrame();
    expect(notifications).toBe(1);
    expect(controller.getState().rows).toHaveLength(50);
    expect(controller.getState().rows[0]?.event.id).toBe('evt_000050');
  });

  it('counts events while paused and shows them on resume, without duplicates', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1));
    const frames = manualFrames();
    const controller = createStreamController({ source, filter: null, schedule: frames.schedule });
    controller.start();
    await settle();
    controller.pause();
    source.post(makeEvent(2));
    source.post(makeEvent(3));
    source.post(makeEvent(3));
    frames.runFrame();
    expect(controller.getState()).toMatchObject({ paused: true, pendingCount: 2 });
    expect(ids(controller.getState().rows)).toEqual(['evt_000001']);
    controller.resume();
    expect(controller.getState()).toMatchObject({ paused: false, pendingCount: 0 });
    frames.runFrame();
    expect(ids(controller.getState().rows)).toEqual(['evt_000003', 'evt_000002', 'evt_000001']);
  });

  it('keeps the live buffer bounded and reloads dropped rows by scrolling', async () => {
    const source = new FakeStreamSource();
    const frames = manualFrames();
    const controller = createStreamController({
      source,
      filter: null,
      schedule: frames.schedule,
      maxRows: 10,
      pageSize: 4,
    });
    controller.start();
    await settle();
    for (let n = 1; n <= 25; n++) source.post(makeEvent(n));
    frames.runFrame();
    const state = controller.getState();
    expect(state.rows).toHaveLength(10);
    expect(state.rows[9]?.event.id).toBe('evt_000016');
    expect(state.hasOlder).toBe(true);
    controller.setAtTop(false);
    controller.loadOlder();
    await settle();
    // The last row came live (no cursor), so the page is asked by time, ties included, and merged.
    expect(source.fetches.at(-1)?.filter?.until).toBe(
      new Date(Date.parse(makeEvent(16).receivedAt) + 1).toISOString(),
    );
    // That page starts with the last shown row itself; the merge keeps it once.
    expect(ids(controller.getState().rows).slice(-4)).toEqual([
      'evt_000016',
      'evt_000015',
      'evt_000014',
      'evt_000013',
    ]);
    expect(controller.getState().rows).toHaveLength(13);
    controller.loadOlder();
    await settle();
    expect(source.fetches.at(-1)?.after).toBe('evt_000013');
    expect(controller.getState().rows.at(-1)?.event.id).toBe('evt_000009');
  });

  it('catches up after a reconnect with what arrived while the socket was down', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1), makeEvent(2));
    const frames = manualFrames();
    const controller = createStreamController({
      source,
      filter: { entityType: 'task' },
      schedule: frames.schedule,
    });
    controller.start();
    await settle();
    // Stored while the socket was down: no live delivery.
    source.events.push(makeEvent(3), makeEvent(4));
    controller.catchUp();
    await settle();
    expect(source.fetches.at(-1)?.filter).toEqual({ entityType: 'task', since: makeEvent(2).receivedAt });
    frames.runFrame();
    expect(ids(controller.getState().rows)).toEqual(['evt_000004', 'evt_000003', 'evt_000002', 'evt_000001']);
  });

  it('queries once more after subscribing, for events stored before the subscription was live', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1));
    const frames = manualFrames();
    vi.useFakeTimers();
    try {
      const controller = createStreamController({
        source,
        filter: null,
        schedule: frames.schedule,
        settleMs: 20,
      });
      controller.start();
      await vi.advanceTimersByTimeAsync(0);
      // Stored after the page query, before the server registered the subscription: no live delivery.
      source.events.push(makeEvent(2));
      await vi.advanceTimersByTimeAsync(19);
      expect(source.fetches).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(source.fetches).toHaveLength(2);
      frames.runFrame();
      expect(ids(controller.getState().rows)).toEqual(['evt_000002', 'evt_000001']);
      controller.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps live rows that arrived while the first page was on its way', async () => {
    const source = new FakeStreamSource();
    source.events.push(makeEvent(1));
    const frames = manualFrames();
    const controller = createStreamController({ source, filter: null, schedule: frames.schedule });
    controller.start();
    // Delivered live and rendered before the page answers; the page (made earlier) does not have it.
    source.subscriptions[0]?.onEvent(makeEvent(2));
    frames.runFrame();
    await settle();
    expect(ids(controller.getState().rows)).toEqual(['evt_000002', 'evt_000001']);
    controller.dispose();
  });

  it('drops rows received before a purge cut-off', async () => {
    const source = new FakeStreamSource();
    for (let n = 1; n <= 4; n++) source.events.push(makeEvent(n));
    const controller = createStreamController({ source, filter: null, schedule: manualFrames().schedule });
    controller.start();
    await settle();
    for (const onPurge of source.purgeListeners) onPurge(makeEvent(3).receivedAt);
    expect(ids(controller.getState().rows)).toEqual(['evt_000004', 'evt_000003']);
  });

  it('stops listening when disposed', async () => {
    const source = new FakeStreamSource();
    const frames = manualFrames();
    const controller = createStreamController({ source, filter: null, schedule: frames.schedule });
    controller.start();
    controller.dispose();
    await settle();
    expect(source.activeFilters()).toEqual([]);
    expect(controller.getState().rows).toEqual([]);
  });

  it('drops deleted rows (shown, held while paused), and reloads when a delete was too large to list', async () => {
    const source = new FakeStreamSource();
    for (let n = 1; n <= 5; n++) source.events.push(makeEvent(n));
    const frames = manualFrames();
    const controller = createStreamController({ source, filter: null, schedule: frames.schedule });
    controller.start();
    await settle();
    controller.pause();
    source.post(makeEvent(6));
    source.post(makeEvent(7));
    frames.runFrame();
    expect(controller.getState().pendingCount).toBe(2);
    source.remove(['evt_000002', 'evt_000006']);
    expect(ids(controller.getState().rows)).toEqual(['evt_000005', 'evt_000004', 'evt_000003', 'evt_000001']);
    expect(controller.getState().pendingCount).toBe(1);
    controller.resume();
    frames.runFrame();
    expect(ids(controller.getState().rows)[0]).toBe('evt_000007');
    // Too many ids to list: the view reloads what is left.
    source.remove(['evt_000001', 'evt_000003', 'evt_000004'], 'null');
    expect(controller.getState().rows).toEqual([]);
    await settle();
    expect(ids(controller.getState().rows)).toEqual(['evt_000007', 'evt_000005']);
    controller.dispose();
  });

  it('subscribes live from now, and on RESYNC_REQUIRED reloads the first page and resumes after its newest', async () => {
    const source = new FakeStreamSource();
    for (let n = 1; n <= 5; n++) source.events.push(makeEvent(n));
    const frames = manualFrames();
    const controller = createStreamController({ source, filter: null, schedule: frames.schedule });
    controller.start();
    await settle();
    expect(source.subscriptions.map((s) => s.after)).toEqual([null]);
    source.post(makeEvent(6));
    frames.runFrame();
    // While the socket was away, 1 and 2 were purged and 7 to 9 stored: the server cannot resume.
    source.events = source.events.filter((e) => Number(e.sequence) > 2);
    for (let n = 7; n <= 9; n++) source.events.push(makeEvent(n, { sequence: String(n) }));
    const newest = await (source.subscriptions[0] as { onResync: () => Promise<string | null> }).onResync();
    // "9" not "6": the answer is the newest of the reloaded page, compared as an integer with "10" and up.
    expect(newest).toBe('9');
    expect(ids(controller.getState().rows)).toEqual([
      'evt_000009',
      'evt_000008',
      'evt_000007',
      'evt_000006',
      'evt_000005',
      'evt_000004',
      'evt_000003',
    ]);
    expect(controller.getState().loading).toBe(false);
    controller.dispose();
  });
});
