import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { hashPassword } from '../../src/http/auth.js';

const load = (env: Record<string, string>) => loadConfig({ ...env });

describe('security settings', () => {
  it('are off by default, with every limit at its documented default', () => {
    const config = load({});
    expect(config).toMatchObject({
      webhookSignature: null,
      auth: null,
      allowedOrigins: [],
      graphqlIntrospection: true,
      graphqlMaxDepth: 12,
      graphqlMaxAliases: 30,
      graphqlMaxTokens: 5_000,
      graphqlMaxCost: 50_000,
      wsMaxPayloadBytes: 65_536,
      wsMaxSubscriptions: 20,
      wsInitTimeoutMs: 5_000,
      wsMaxBufferedBytes: 8 * 1_048_576,
      httpHeadersTimeoutMs: 10_000,
      httpRequestTimeoutMs: 30_000,
      maxStoredEvents: 1_000_000,
      maxDatabaseBytes: 0,
      readonlyTokens: [],
      readonlyMayDelete: false,
    });
  });

  it('reads read-only tokens beside a full credential, and refuses them alone, short or equal to AUTH_TOKEN', () => {
    const token = 'full-access-token-0123456789';
    const config = load({
      AUTH_TOKEN: token,
      AUTH_READONLY_TOKENS: ' read-only-token-000001 , read-only-token-000002 ',
      READONLY_MAY_DELETE: 'true',
    });
    expect(config.readonlyTokens).toEqual(['read-only-token-000001', 'read-only-token-000002']);
    expect(config.readonlyMayDelete).toBe(true);
    expect(() => load({ AUTH_READONLY_TOKENS: 'read-only-token-000001' })).toThrow(
      /AUTH_READONLY_TOKENS: needs AUTH_TOKEN or AUTH_USERS/,
    );
    expect(() => load({ AUTH_TOKEN: token, AUTH_READONLY_TOKENS: 'short' })).toThrow(
      /AUTH_READONLY_TOKENS[.0-9]*: each token must be at least 16 characters/,
    );
    expect(() => load({ AUTH_TOKEN: token, AUTH_READONLY_TOKENS: token })).toThrow(
      /AUTH_READONLY_TOKENS: must not contain AUTH_TOKEN/,
    );
    expect(() => load({ READONLY_MAY_DELETE: 'perhaps' })).toThrow(
      /READONLY_MAY_DELETE: must be true or false/,
    );
  });

  it('decodes a Standard Webhooks secret, with or without its whsec_ prefix', () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    expect(load({ WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).webhookSignature).toEqual({
      scheme: 'standard',
      keys: [key],
    });
    expect(load({ WEBHOOK_SECRET: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).webhookSignature?.keys).toEqual([
      key,
    ]);
    expect(load({ WEBHOOK_SECRET: 'plain words', WEBHOOK_SIGNATURE: 'github' }).webhookSignature).toEqual({
      scheme: 'github',
      keys: [Buffer.from('plain words')],
    });
  });

  it('reads several comma-separated secrets for a rotation, in order, blanks around them dropped', () => {
    const other = Buffer.alloc(24, 7);
    const env = {
      WEBHOOK_SECRET: ` whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw , whsec_${other.toString('base64')}`,
    };
    expect(load(env).webhookSignature?.keys).toEqual([
      Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'),
      other,
    ]);
    expect(
      load({ WEBHOOK_SECRET: 'old one,new one', WEBHOOK_SIGNATURE: 'github' }).webhookSignature?.keys,
    ).toEqual([Buffer.from('old one'), Buffer.from('new one')]);
  });

  it.each([
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,whsec_short', 'secret 2 of 2 must be whsec_'],
    [
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,,whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'secret 2 of 3 is empty',
    ],
    [Array(11).fill('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').join(','), 'at most 10'],
  ])(
    'refuses a bad secret list %#, naming WEBHOOK_SECRET and the entry, never its value',
    (value, reason) => {
      expect(() => load({ WEBHOOK_SECRET: value })).toThrow(ConfigError);
      expect(() => load({ WEBHOOK_SECRET: value })).toThrow(`WEBHOOK_SECRET: ${reason}`);
      expect(() => load({ WEBHOOK_SECRET: value })).not.toThrow(/MfKQ9r8G|short/);
    },
  );

  it.each([
    [{ WEBHOOK_SECRET: 'whsec_short' }, 'WEBHOOK_SECRET'],
    [{ WEBHOOK_SECRET: 'not base64 at all!' }, 'WEBHOOK_SECRET'],
    [{ WEBHOOK_SIGNATURE: 'hmac' }, 'WEBHOOK_SIGNATURE'],
    [{ AUTH_TOKEN: 'short' }, 'AUTH_TOKEN'],
    [{ AUTH_USERS: 'alice:plaintext' }, 'AUTH_USERS'],
    [{ AUTH_TOKEN: 'a-long-enough-token', AUTH_USERS: `bob:${hashPassword('x')}` }, 'AUTH_TOKEN, AUTH_USERS'],
    [{ ALLOWED_ORIGINS: 'example.com' }, 'ALLOWED_ORIGINS'],
    [{ GRAPHQL_INTROSPECTION: 'maybe' }, 'GRAPHQL_INTROSPECTION'],
    [{ GRAPHQL_MAX_DEPTH: '1' }, 'GRAPHQL_MAX_DEPTH'],
    [{ WS_INIT_TIMEOUT: '2h' }, 'WS_INIT_TIMEOUT'],
    [{ MAX_STORED_EVENTS: '-1' }, 'MAX_STORED_EVENTS'],
  ])('refuses %j, naming the variable', (env, name) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(name);
  });

  it('reads users, origins and switches', () => {
    const entry = `alice:${hashPassword('wonderland')}`;
    const config = load({
      AUTH_USERS: entry,
      ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080',
      GRAPHQL_INTROSPECTION: 'false',
    });
    expect(config.auth).toEqual({ kind: 'users', users: [entry] });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(config.graphqlIntrospection).toBe(false);
  });
});
