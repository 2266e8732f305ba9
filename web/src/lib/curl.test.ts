import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curlCommand, shellQuote } from './curl.js';

describe('copy as cURL', () => {
  it('quotes bodies so a real shell passes them through byte for byte', () => {
    const bodies = [
      `{"name":"it's a \\"quote\\""}`,
      `{"x":"$(rm -rf /) \`id\` $HOME \\\\ ; | & > <"}`,
      `{"multi":"line\nbreak","tab":"\t","unicode":"é ✓ 😀"}`,
      `'''`,
    ];
    for (const body of bodies) {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(body)}`], { encoding: 'utf8' })).toBe(body);
    }
  });

  it("posts the raw body as JSON to this server's intake, without the original webhook-id", () => {
    const command = curlCommand('http://127.0.0.1:8000', '{"a":1}');
    expect(command).toBe(
      `curl -sS -X POST 'http://127.0.0.1:8000/webhooks/event' -H 'content-type: application/json' --data-binary '{"a":1}'`,
    );
    expect(command).not.toContain('webhook-id');
  });
});
