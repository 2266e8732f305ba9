import { test } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

/**
 * A test API whose `t` fixture is a real server (see {@link startTestServer}) started with `options` on
 * first use and disposed, data folder included, when the file's tests are done.
 *
 * The server is file-scoped, as the `beforeAll`/`afterAll` pair it replaces was: starting one costs a
 * migration and a listen, which every test would otherwise pay. Call it at the top level of the file
 * (vitest refuses file-scoped fixtures inside `describe`), once per set of options:
 *
 * ```ts
 * const it = useTestServer({ env: { MAX_BODY_BYTES: '2048' } });
 * it('refuses a big body', async ({ t }) => expect((await postEvent(t.url, big)).status).toBe(413));
 * it.beforeAll(async ({ t }) => { ... }); // hooks of the returned API see the server too
 * ```
 *
 * A file that needs servers with different options calls it once for each and uses each returned API
 * in its own `describe`; tests that start and stop a server themselves (restarts) keep `startTestServer`.
 */
export function useTestServer(options: TestServerOptions = {}) {
  return test.extend(
    't',
    { scope: 'file' },
    // vitest reads a fixture's dependencies from its first parameter's pattern: this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, { onCleanup }): Promise<TestServer> => {
      const server = await startTestServer(options);
      onCleanup(() => server.dispose());
      return server;
    },
  );
}
