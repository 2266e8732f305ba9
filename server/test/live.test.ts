import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import { collect, connected, EXAMPLE_CREATE, postEvent, waitFor, wsClient } from './helpers/server.js';

const it = useTestServer();

interface Added {
  eventAdded: {
    id: string;
    entityType: string;
    entityId: string;
    payload: Record<string, unknown>;
    warnings: string[];
  };
}

describe('Subscription.eventAdded over graphql-ws', () => {
  it('delivers a posted event to a subscriber, and only events matching its filter', async ({ t }) => {
    const client = wsClient(t.wsUrl);
    await connected(client);
    const everything = collect<Added>(
      client,
      'subscription { eventAdded { id entityType entityId payload warnings } }',
    );
    const tasksOnly = collect<Added>(
      client,
      'subscription($f: EventFilter) { eventAdded(filter: $f) { id entityType } }',
      { f: { entityType: 'task' } },
    );
    await waitFor(() => t.server.subscriberCount('eventAdded') === 2);

    const component = await postEvent(t.url, EXAMPLE_CREATE);
    const task = await postEvent(t.url, {
      ...EXAMPLE_CREATE,
      entity_type: 'task',
      payload: { id: 'live-task' },
    });
    expect((await everything.next()).eventAdded).toMatchObject({
      id: component.json.id,
      entityType: 'component',
      entityId: EXAMPLE_CREATE.payload.id,
      payload: EXAMPLE_CREATE.payload,
      warnings: [],
    });
    expect((await everything.next()).eventAdded.id).toBe(task.json.id);
    // The component was posted first: had the filter let it through, it would arrive here first.
    expect((await tasksOnly.next()).eventAdded).toEqual({ id: task.json.id, entityType: 'task' });

    everything.dispose();
    tasksOnly.dispose();
    await waitFor(() => t.server.subscriberCount('eventAdded') === 0);
    await client.dispose();
  });

  it('does not publish refused or repeated deliveries as new events', async ({ t }) => {
    const client = wsClient(t.wsUrl);
    const sub = collect<Added>(client, 'subscription { eventAdded { id } }');
    await waitFor(() => t.server.subscriberCount('eventAdded') === 1);
    const headers = { 'webhook-id': 'msg_live_dup' };
    const first = await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'live-dup' } }, headers);
    expect((await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'live-dup' } }, headers)).status).toBe(
      200,
    );
    expect((await postEvent(t.url, { nope: true })).status).toBe(422);
    const marker = await postEvent(t.url, { ...EXAMPLE_CREATE, payload: { id: 'live-marker' } });
    expect((await sub.next()).eventAdded.id).toBe(first.json.id);
    expect((await sub.next()).eventAdded.id).toBe(marker.json.id);
    sub.dispose();
    await client.dispose();
  });
});
