import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { forwardHeaders } from '../../src/jobs/sender.js';
import {
  isTargetAllowed,
  LOOPBACK_TARGETS,
  parseAllowedTarget,
  type AllowedTarget,
} from '../../src/shared/targets.js';

const prefixes = (...texts: string[]): AllowedTarget[] =>
  texts.map((text) => {
    const parsed = parseAllowedTarget(text);
    if (typeof parsed === 'string') throw new Error(parsed);
    return parsed;
  });
const allowed = (target: string, list: AllowedTarget[]) => isTargetAllowed(new URL(target), list);

describe('allowed targets', () => {
  it('read a written port as that port only, and no port as any (a written default port included)', () => {
    const list = prefixes('http://127.0.0.1:80/hooks', 'https://hooks.example.com');
    expect(allowed('http://127.0.0.1/hooks/a', list)).toBe(true);
    expect(allowed('http://127.0.0.1:8080/hooks/a', list)).toBe(false);
    expect(allowed('https://hooks.example.com:8443/x', list)).toBe(true);
    expect(allowed('https://HOOKS.example.com./x', list)).toBe(false); // a trailing dot is another name
    expect(allowed('https://hooks.example.com.evil.net/x', list)).toBe(false);
    expect(allowed('http://hooks.example.com/x', list)).toBe(false);
  });

  it('default to the loopback addresses, whatever their spelling', () => {
    const list = prefixes(...LOOPBACK_TARGETS);
    for (const ok of [
      'http://127.0.0.1:3000/x',
      'http://LOCALHOST/',
      'https://[0:0:0:0:0:0:0:1]:9/',
      'http://0177.0.0.1/',
    ]) {
      expect(allowed(ok, list), ok).toBe(true);
    }
    for (const no of [
      'http://127.0.0.1.nip.io/',
      'http://127.1.0.1/',
      'http://[::ffff:7f00:1]/',
      'http://a@localhost/',
      'ws://localhost/',
    ]) {
      expect(allowed(no, list), no).toBe(false);
    }
  });

  it('refuse prefixes that cannot mean one place, naming the entry', () => {
    expect(parseAllowedTarget('localhost:3000')).toMatch(/must start with http/);
    expect(parseAllowedTarget('not a url')).toBe('"not a url" is not an absolute URL');
    expect(parseAllowedTarget('http://u:p@127.0.0.1')).toMatch(/user name or password/);
    expect(parseAllowedTarget('http://127.0.0.1/?a=1')).toMatch(/query or a fragment/);
    expect(() => loadConfig({ FORWARD_ALLOWED_TARGETS: 'http://ok.example,ftp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ FORWARD_ALLOWED_TARGETS: 'http://ok.example,ftp://x' })).toThrow(
      /FORWARD_ALLOWED_TARGETS: "ftp:\/\/x" must start with http/,
    );
    expect(loadConfig({ FORWARD_TO: 'http://localhost:3000/hook' }).forwardTo).toBe(
      'http://localhost:3000/hook',
    );
  });
});

describe('forwarded headers', () => {
  it('drop hop-by-hop headers (and those Connection names), proxy and credential headers, and keep the rest', () => {
    expect(
      forwardHeaders({
        'content-type': 'application/json',
        'webhook-signature': 'v1,abc',
        connection: 'keep-alive, X-Trace-Hop',
        'x-trace-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        host: 'hookscope:8000',
        'content-length': '12',
        'proxy-authorization': 'Basic x',
        authorization: 'Bearer y',
        cookie: 'a=b',
        'x-api-key': 'k',
        'user-agent': 'GitHub-Hookshot/1',
      }),
    ).toEqual({
      'content-type': 'application/json',
      'webhook-signature': 'v1,abc',
      'user-agent': 'GitHub-Hookshot/1',
    });
    expect(forwardHeaders(null)).toEqual({});
  });
});
