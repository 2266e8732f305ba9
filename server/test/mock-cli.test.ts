import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { useTestServer } from './helpers/fixtures.js';
import { graphql } from './helpers/server.js';

const run = promisify(execFile);

const it = useTestServer();

describe('npm run mock against a running server', () => {
  it('sends realistic events that the server stores, and reports the answers', async ({ t }) => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/mock.ts',
        '--url',
        `${t.url}/webhooks/event`,
        '--count',
        '30',
        '--rate',
        '200',
        '--seed',
        '7',
      ],
      { timeout: 60_000 },
    );
    expect(stdout).toContain('201');
    const result = await graphql<{
      events: { totalCount: number };
      rejections: { totalCount: number };
      entities: { totalCount: number };
    }>(t.url, '{ events { totalCount } rejections { totalCount } entities { totalCount } }');
    expect(result.data.events.totalCount).toBe(30);
    expect(result.data.rejections.totalCount).toBe(0);
    // Sequences: several events per entity, so fewer entities than events.
    expect(result.data.entities.totalCount).toBeLessThan(30);
  });
});
