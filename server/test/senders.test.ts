import { randomBytes, randomUUID } from 'node:crypto';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import {
  EXAMPLE_CREATE,
  graphql,
  ManualClock,
  postEvent,
  wsClient,
  type TestServer,
} from './helpers/server.js';

// Deliveries signed by the senders' own libraries (svix, standardwebhooks, @octokit/webhooks-methods),
// sent over real HTTP: what Svix, a Standard Webhooks sender and GitHub put on the wire.

const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;
const OLD_SECRET = newSecret();
const NEW_SECRET = newSecret();
const THIRD_SECRET = newSecret();
const GITHUB_OLD = 'the secret before the rotation';
const GITHUB_NEW = 'the secret after the rotation';

const clock = new ManualClock();
const standardTest = useTestServer({ clock, env: { WEBHOOK_SECRET: `${OLD_SECRET},${NEW_SECRET}` } });
const githubTest = useTestServer({
  env: { WEBHOOK_SECRET: `${GITHUB_OLD}, ${GITHUB_NEW}`, WEBHOOK_SIGNATURE: 'github' },
});
const openTest = useTestServer();

const body = (id: string): string => JSON.stringify({ ...EXAMPLE_CREATE, payload: { id } });

/** What Svix sends: svix-* headers only, signed by the svix library. */
function svixHeaders(secret: string, id: string, payload: string, at = new Date(clock.ms)) {
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new SvixWebhook(secret).sign(id, at, payload),
  };
}

/** What a Standard Webhooks sender sends: webhook-* headers, signed by the standardwebhooks library. */
function standardHeaders(secret: string, id: string, payload: string, at = new Date(clock.ms)) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new StandardWebhook(secret).sign(id, at, payload),
  };
}

/** What GitHub sends: X-Hub-Signature-256 over the body and its own delivery id. */
async function githubHeaders(secret: string, delivery: string, payload: string) {
  return {
    'x-github-event': 'issues',
    'x-github-delivery': delivery,
    'x-hub-signature-256': await signGithub(secret, payload),
  };
}

/** The retained events of one entity, as REST shows them. */
async function entityEvents(t: TestServer, entityId: string): Promise<{ id: string; deliveryId: string }[]> {
  const response = await fetch(`${t.url}/entities/${entityId}`);
  if (response.status === 404) return [];
  return ((await response.json()) as { events: { id: string; deliveryId: string }[] }).events;
}

type ErrorAnswer = { error: { code: string; message: string; issues: { path: string }[] } };

describe('Standard Webhooks senders (svix-* and webhook-*), with two secrets in rotation', () => {
  const it = standardTest;

  it('accepts a Svix-signed delivery and stores it once: a redelivery answers 200 with the original id', async ({
    t,
  }) => {
    const payload = body('svix-1');
    const first = await postEvent(t.url, payload, svixHeaders(NEW_SECRET, 'msg_svix_1', payload));
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    clock.advance(60_000); // Svix retries later, re-signed with a fresh timestamp and the same id
    const again = await postEvent(t.url, payload, svixHeaders(NEW_SECRET, 'msg_svix_1', payload));
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, duplicate: true });
    expect(await entityEvents(t, 'svix-1')).toEqual([
      expect.objectContaining({ id: first.json.id, deliveryId: 'msg_svix_1' }),
    ]);
    const shown = await graphql<{ event: { deliveryId: string } }>(
      t.url,
      'query ($id: ID!) { event(id: $id) { deliveryId } }',
      { id: first.json.id },
    );
    expect(shown.data.event.deliveryId).toBe('msg_svix_1');
  });

  it('accepts a Standard-Webhooks-signed delivery and deduplicates its redelivery', async ({ t }) => {
    const payload = body('std-1');
    const first = await postEvent(t.url, payload, standardHeaders(OLD_SECRET, 'msg_std_1', payload));
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    const again = await postEvent(t.url, payload, standardHeaders(OLD_SECRET, 'msg_std_1', payload));
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    expect((await entityEvents(t, 'std-1')).map((event) => event.deliveryId)).toEqual(['msg_std_1']);
  });

  it('during a rotation accepts the old and the new secret, and refuses a third, naming the header read', async ({
    t,
  }) => {
    for (const [secret, id] of [
      [OLD_SECRET, 'msg_rot_old'],
      [NEW_SECRET, 'msg_rot_new'],
    ] as const) {
      const payload = body(id);
      const answer = await postEvent(t.url, payload, svixHeaders(secret, id, payload));
      expect(answer.status, `${id}: ${JSON.stringify(answer.json)}`).toBe(201);
    }
    const payload = body('rot-third');
    const refused = await postEvent(t.url, payload, svixHeaders(THIRD_SECRET, 'msg_rot_third', payload));
    expect(refused.status).toBe(401);
    const { error } = refused.json as ErrorAnswer;
    expect(error.code).toBe('SIGNATURE_MISMATCH');
    expect(error.message).toBe(
      'no v1 signature in svix-signature matches svix-id.svix-timestamp.body signed with any of the 2 secrets of WEBHOOK_SECRET',
    );
    expect(error.issues[0]?.path).toBe('headers.svix-signature');
    expect(await entityEvents(t, 'rot-third')).toEqual([]);

    // A sender rotating on its side lists the old and the new signature: either known key verifies.
    const both = standardHeaders(THIRD_SECRET, 'msg_rot_list', payload);
    const known = standardHeaders(NEW_SECRET, 'msg_rot_list', payload)['webhook-signature'];
    both['webhook-signature'] = `${both['webhook-signature']} ${known}`;
    expect((await postEvent(t.url, payload, both)).status).toBe(201);
  });

  it('names the svix- header that is missing or stale, not the webhook- one', async ({ t }) => {
    const payload = body('svix-bad');
    const { 'svix-timestamp': _timestamp, ...noTimestamp } = svixHeaders(NEW_SECRET, 'msg_bad', payload);
    const missing = (await postEvent(t.url, payload, noTimestamp)).json as ErrorAnswer;
    expect(missing.error).toMatchObject({
      code: 'SIGNATURE_HEADER_MISSING',
      message: 'header svix-timestamp is missing',
    });
    const stale = svixHeaders(NEW_SECRET, 'msg_bad', payload, new Date(clock.ms - 3_600_000));
    const staleAnswer = (await postEvent(t.url, payload, stale)).json as ErrorAnswer;
    expect(staleAnswer.error.code).toBe('SIGNATURE_TIMESTAMP_STALE');
    expect(staleAnswer.error.message).toMatch(/^svix-timestamp is 3600 s in the past/);

    const none = (await postEvent(t.url, payload, {})).json as ErrorAnswer;
    expect(none.error.message).toBe('header webhook-id is missing (svix-id is accepted too)');
  });

  it('with both prefixes (as Svix may send), verifies and deduplicates on the webhook-* set', async ({
    t,
  }) => {
    const payload = body('both-1');
    const headers = {
      ...svixHeaders(THIRD_SECRET, 'msg_svix_side', payload), // not verifiable: never read
      ...standardHeaders(NEW_SECRET, 'msg_webhook_side', payload),
    };
    const answer = await postEvent(t.url, payload, headers);
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    expect((await entityEvents(t, 'both-1')).map((event) => event.deliveryId)).toEqual(['msg_webhook_side']);
  });
});

describe('GitHub senders (X-Hub-Signature-256, X-GitHub-Delivery), with two secrets in rotation', () => {
  const it = githubTest;

  it('stores a GitHub redelivery once: the second answers 200 with the original id', async ({ t }) => {
    const payload = body('gh-1');
    const delivery = randomUUID();
    const headers = await githubHeaders(GITHUB_OLD, delivery, payload);
    const first = await postEvent(t.url, payload, headers);
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    // "Redeliver" in GitHub's settings sends the same body with the same X-GitHub-Delivery.
    const again = await postEvent(t.url, payload, headers);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, duplicate: true });
    expect((await entityEvents(t, 'gh-1')).map((event) => event.deliveryId)).toEqual([delivery]);
  });

  it('accepts the old and the new secret during a rotation and refuses a third', async ({ t }) => {
    const payload = body('gh-rot');
    const withNew = await postEvent(t.url, payload, await githubHeaders(GITHUB_NEW, randomUUID(), payload));
    expect(withNew.status).toBe(201);
    const oldPayload = body('gh-rot-old');
    const withOld = await postEvent(
      t.url,
      oldPayload,
      await githubHeaders(GITHUB_OLD, randomUUID(), oldPayload),
    );
    expect(withOld.status).toBe(201);
    const refused = await postEvent(t.url, payload, await githubHeaders('another', randomUUID(), payload));
    expect(refused.status).toBe(401);
    expect((refused.json as ErrorAnswer).error).toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      message:
        'x-hub-signature-256 does not match the body signed with any of the 2 secrets of WEBHOOK_SECRET',
    });
    expect(await entityEvents(t, 'gh-rot')).toHaveLength(1);
    expect(await entityEvents(t, 'gh-rot-old')).toHaveLength(1);
  });
});

describe('delivery ids without signatures', () => {
  const it = openTest;

  it('are one namespace: the first of webhook-id, svix-id, X-GitHub-Delivery is the id, kept as sent', async ({
    t,
  }) => {
    const id = randomUUID();
    const first = await postEvent(t.url, body('ns-1'), { 'x-github-delivery': id });
    expect(first.status).toBe(201);
    // The same id under another header is the same delivery (no per-header prefix; see docs/api.md).
    const same = await postEvent(t.url, body('ns-1'), { 'svix-id': id });
    expect(same).toMatchObject({ status: 200, json: { id: first.json.id } });
    const precedence = await postEvent(t.url, body('ns-2'), {
      'x-github-delivery': id,
      'svix-id': 'msg_svix_wins',
    });
    expect(precedence.status).toBe(201);
    expect((await entityEvents(t, 'ns-2')).map((event) => event.deliveryId)).toEqual(['msg_svix_wins']);
  });
});

describe('the search term bound (256 characters)', () => {
  const it = openTest;
  const tooLong = 'x'.repeat(257);

  it('REST: 256 characters are searched, 257 answer 400 SEARCH_TOO_LONG naming search', async ({ t }) => {
    const ok = await fetch(`${t.url}/events?search=${'x'.repeat(256)}`);
    expect(ok.status).toBe(200);
    const response = await fetch(`${t.url}/events?search=${tooLong}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorAnswer).error).toMatchObject({
      code: 'SEARCH_TOO_LONG',
      message: 'search: is longer than 256 characters, the most a search term may have',
    });
  });

  it('counts characters, not UTF-16 units: 256 emoji are one term', async ({ t }) => {
    const emoji = '😀'.repeat(256);
    const ok = await fetch(`${t.url}/events?search=${encodeURIComponent(emoji)}`);
    expect(ok.status).toBe(200);
    const over = await fetch(`${t.url}/events?search=${encodeURIComponent(`${emoji}😀`)}`);
    expect(over.status).toBe(400);
  });

  it('GraphQL: a 100 KB and a 900 KB term answer SEARCH_TOO_LONG naming filter.search, not an internal error', async ({
    t,
  }) => {
    for (const size of [100_000, 900_000]) {
      const result = await graphql(
        t.url,
        'query ($search: String) { events(filter: { search: $search }) { totalCount } }',
        { search: 'a'.repeat(size) },
      );
      expect(result.errors?.[0]).toMatchObject({
        message: 'filter.search: is longer than 256 characters, the most a search term may have',
        extensions: { code: 'SEARCH_TOO_LONG' },
      });
    }
  });

  it('a WebSocket subscription filter: refused with the same code', async ({ t }) => {
    const client = wsClient(t.wsUrl);
    try {
      const result = await new Promise<unknown>((resolve) => {
        client.subscribe(
          {
            query: 'subscription ($s: String) { eventAdded(filter: { search: $s }) { id } }',
            variables: { s: tooLong },
          },
          { next: resolve, error: resolve, complete: () => undefined },
        );
      });
      expect(JSON.stringify(result)).toContain('SEARCH_TOO_LONG');
      expect(JSON.stringify(result)).toContain('filter.search');
    } finally {
      await client.dispose();
    }
  });
});

describe('GET /aggrigates/{entity_id} (sic), the seed README spelling', () => {
  const it = openTest;

  it('answers as /aggregates/ does, 404 included', async ({ t }) => {
    expect((await postEvent(t.url, body('alias-1'))).status).toBe(201);
    const right = await fetch(`${t.url}/aggregates/alias-1`);
    const sic = await fetch(`${t.url}/aggrigates/alias-1`);
    expect(sic.status).toBe(200);
    expect(await sic.json()).toEqual(await right.json());
    const missing = await fetch(`${t.url}/aggrigates/no-such-entity`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorAnswer).error.code).toBe('NOT_FOUND');
  });
});
