import { expect, it } from 'vitest';
import { createPgWakeup } from '../src/live/wakeup-pg.js';
import type { Wakeup } from '../src/live/wakeup.js';
import { startPrivatePostgres } from './helpers/pg.js';
import { waitFor } from './helpers/server.js';

// A restart of PostgreSQL itself (a private instance): the listening connection is gone for as long as
// the server is down, every re-listen in between fails, and the wake-up must still come back by itself.

it('LISTEN comes back after a PostgreSQL restart that outlasts several re-listen attempts, and reports it', async () => {
  const pg = await startPrivatePostgres();
  const opened: Wakeup[] = [];
  try {
    const errors: unknown[] = [];
    const listener = await createPgWakeup({
      databaseUrl: pg.url,
      channel: 'hs_restart',
      onError: (error) => errors.push(error),
    });
    opened.push(listener);
    let reconnects = 0;
    const heads: string[] = [];
    listener.onReconnect(() => (reconnects += 1));
    listener.onWake((head) => heads.push(head));
    await pg.stop('fast');
    // Down long enough for the first re-listen attempts (100 ms, 200 ms, 400 ms ...) to fail.
    await waitFor(() => errors.length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(reconnects).toBe(0);
    await pg.start();
    await waitFor(() => reconnects === 1, 15_000);
    const sender = await createPgWakeup({ databaseUrl: pg.url, channel: 'hs_restart' });
    opened.push(sender);
    sender.notify('12');
    await waitFor(() => heads.includes('12'), 5_000);
    expect({ reconnects, heads }).toEqual({ reconnects: 1, heads: ['12'] });
  } finally {
    await Promise.all(opened.map((wakeup) => wakeup.close()));
    await pg.destroy();
  }
}, 60_000);
