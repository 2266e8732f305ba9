import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import { ConfigError, loadConfig } from '../src/config.js';

const productionTest = useTestServer({ env: { NODE_ENV: 'production' } });

describe('Apollo Sandbox with NODE_ENV=production', () => {
  const it = productionTest;

  it('serves the Sandbox page at GET /graphql to a browser', async ({ t }) => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('embeddable-sandbox');
  });

  it('answers introspection, which Sandbox needs', async ({ t }) => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { subscriptionType { fields { name } } } }' }),
    });
    const json = (await response.json()) as {
      data: { __schema: { subscriptionType: { fields: { name: string }[] } } };
    };
    expect(json.data.__schema.subscriptionType.fields.map((f) => f.name)).toContain('eventAdded');
  });

  it('keeps CSRF prevention on (a simple GET query without a preflight header is refused)', async ({ t }) => {
    const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ stats { totalEvents } }')}`);
    expect(response.status).toBe(400);
  });
});

describe('configuration', () => {
  it('refuses bad values with a message naming each variable', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', EVENT_RETENTION: '7 days', MAX_BODY_BYTES: '10', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'EVENT_RETENTION', 'MAX_BODY_BYTES', 'LOG_LEVEL'])
        expect(message).toContain(name);
    }
  });

  it('stops the start with exit code 2 and the message on stderr', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-cfg-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      env: { ...process.env, PURGE_INTERVAL: 'often', DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stderr).toContain('PURGE_INTERVAL');
  });
});
