import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { spawnServer } from './helpers/process.js';
import {
  connected,
  EXAMPLE_CREATE,
  EXAMPLE_UPDATE,
  graphql,
  postEvent,
  waitFor,
  wsClient,
} from './helpers/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The other tests run the sources; production runs one bundled file (`npm run build:server`) in which
// only better-sqlite3 and graphql stay external. A second copy of graphql inside the bundle would pass
// HTTP queries and break subscriptions at run time, so this drives every transport against the build.
it('the production build (dist/server/main.js) ingests, answers GraphQL and REST, and delivers subscriptions', async () => {
  execFileSync('npm', ['run', 'build:server'], { cwd: ROOT, stdio: 'pipe' });
  const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-build-'));
  const server = await spawnServer(dataDir, {}, ['dist/server/main.js']);
  const client = wsClient(`${server.url.replace(/^http/, 'ws')}/graphql`);
  try {
    await connected(client);
    const delivered: string[] = [];
    let failure: unknown = null;
    client.subscribe<{ eventAdded: { id: string } }>(
      { query: 'subscription { eventAdded { id entityId } }' },
      {
        next: (result) => {
          if (result.errors) failure = result.errors;
          if (result.data) delivered.push(result.data.eventAdded.id);
        },
        error: (error) => (failure = error),
        complete: () => undefined,
      },
    );
    // graphql-ws has no subscribe acknowledgement: post until the subscription is live.
    const posted: string[] = [];
    await waitFor(async () => {
      posted.push(String((await postEvent(server.url, EXAMPLE_CREATE)).json.id));
      return delivered.length > 0;
    });
    expect(posted).toContain(delivered[0]);

    const update = await postEvent(server.url, EXAMPLE_UPDATE);
    expect(update.status).toBe(201);
    await waitFor(() => delivered.includes(String(update.json.id)));
    expect(failure).toBeNull();

    const { data, errors } = await graphql<{ entity: { version: number; state: Record<string, unknown> } }>(
      server.url,
      'query($id: ID!) { entity(id: $id) { version state } }',
      { id: EXAMPLE_CREATE.payload.id },
    );
    expect(errors).toBeUndefined();
    expect(data.entity.version).toBe(posted.length + 1);
    expect(data.entity.state).toMatchObject({ assignee_id: EXAMPLE_UPDATE.payload.assignee_id });

    const rest = (await (await fetch(`${server.url}/events?first=1`)).json()) as { events: { id: string }[] };
    expect(rest.events.map((event) => event.id)).toEqual([update.json.id]);
  } finally {
    await client.dispose();
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);

// The container image runs the forward CLI from the same build (docs/forwarding.md): it must load as
// bundled, with graphql-ws and ws inside and graphql external.
it('the production build has the forward CLI (dist/server/forward.js)', () => {
  execFileSync('npm', ['run', 'build:server'], { cwd: ROOT, stdio: 'pipe' });
  const usage = execFileSync(process.execPath, ['dist/server/forward.js', '--help'], {
    cwd: ROOT,
  }).toString();
  expect(usage).toContain('usage: npm run forward -- --from HOOKSCOPE_URL --to HANDLER_URL');
  let refused: { status?: number; stderr?: Buffer } = {};
  try {
    execFileSync(process.execPath, ['dist/server/forward.js', '--to', 'http://127.0.0.1:1/'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  } catch (error) {
    refused = error as typeof refused;
  }
  expect(refused.status).toBe(2);
  expect(refused.stderr?.toString()).toContain('--from is required');
}, 60_000);
