import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseDurationMs } from './shared/time.js';
import {
  isTargetAllowed,
  LOOPBACK_TARGETS,
  parseAllowedTarget,
  type AllowedTarget,
} from './shared/targets.js';

function duration(minMs: number, maxMs: number) {
  return z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a duration like 7d, 12h, 30m, 45s or 500ms`,
      });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `must be between ${minMs} ms and ${maxMs} ms, got ${ms} ms` });
      return z.NEVER;
    }
    return { text: text.trim(), ms };
  });
}

function integer(min: number, max: number) {
  return z.coerce.number().int(`must be an integer`).min(min).max(max);
}

function boolean() {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
    .transform((text) => ['true', '1', 'yes', 'on'].includes(text));
}

/** A comma-separated list, blanks dropped. */
function list() {
  return z.string().transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
}

/** Whether `text` is a URL whose scheme is postgres: or postgresql: (what the driver accepts). */
function isPostgresUrl(text: string): boolean {
  try {
    const { protocol, hostname } = new URL(text);
    return (protocol === 'postgres:' || protocol === 'postgresql:') && hostname !== '';
  } catch {
    return false;
  }
}

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;
// `user:scrypt.N.r.p.salt.hash` (see scripts/hash-password.ts): dots, not `$`, because compose interpolates `$`.
const USER_ENTRY = /^[^:,\s]+:scrypt\.\d+\.\d+\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65_535).default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  // PostgreSQL instead of SQLite (docs/postgres.md). Checked for its scheme only: the message never
  // repeats the value, which carries the password.
  DATABASE_URL: z
    .string()
    .refine(
      isPostgresUrl,
      'must be a postgres:// or postgresql:// URL, like postgres://user:password@host:5432/hookscope',
    )
    .optional(),
  // A direct (or session-pooled) connection for what needs a session of its own, when DATABASE_URL goes
  // through a transaction pooler such as PgBouncer (docs/postgres.md, "Behind PgBouncer").
  DATABASE_DIRECT_URL: z
    .string()
    .refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL, like DATABASE_URL')
    .optional(),
  EVENT_RETENTION: duration(1_000, 3_650 * 86_400_000).prefault('7d'),
  PURGE_INTERVAL: duration(1_000, 86_400_000).prefault('1m'),
  MAX_BODY_BYTES: integer(1_024, 64 * 1_048_576).default(1_048_576),
  MOCK_EVENTS_PER_MINUTE: integer(0, 60_000).default(0),
  MAX_REJECTIONS: integer(10, 1_000_000).default(1_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Hardening (docs/security.md): every door has a limit; the optional checks are off unless set.
  WEBHOOK_SECRET: z.string().min(1).optional(),
  WEBHOOK_SIGNATURE: z.enum(['standard', 'github']).default('standard'),
  AUTH_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  AUTH_USERS: list()
    .pipe(z.array(z.string().regex(USER_ENTRY, 'each entry must be user:scrypt.N.r.p.salt.hash')).min(1))
    .optional(),
  AUTH_READONLY_TOKENS: list()
    .pipe(z.array(z.string().min(16, 'each token must be at least 16 characters')).min(1))
    .optional(),
  READONLY_MAY_DELETE: boolean().prefault('false'),
  ALLOWED_ORIGINS: list()
    .pipe(z.array(z.string().regex(ORIGIN, 'each entry must be an origin like https://example.com')))
    .default([]),
  GRAPHQL_INTROSPECTION: boolean().prefault('true'),
  GRAPHQL_MAX_DEPTH: integer(2, 100).default(12),
  GRAPHQL_MAX_ALIASES: integer(0, 1_000).default(30),
  GRAPHQL_MAX_TOKENS: integer(100, 1_000_000).default(5_000),
  GRAPHQL_MAX_COST: integer(100, 100_000_000).default(50_000),
  WS_MAX_PAYLOAD_BYTES: integer(1_024, 16 * 1_048_576).default(65_536),
  WS_MAX_SUBSCRIPTIONS: integer(1, 1_000).default(20),
  WS_INIT_TIMEOUT: duration(100, 60_000).prefault('5s'),
  WS_MAX_BUFFERED_BYTES: integer(65_536, 1_073_741_824).default(8 * 1_048_576),
  HTTP_HEADERS_TIMEOUT: duration(100, 300_000).prefault('10s'),
  HTTP_REQUEST_TIMEOUT: duration(100, 3_600_000).prefault('30s'),
  MAX_STORED_EVENTS: integer(0, 1_000_000_000).default(1_000_000),
  SCHEMA_LEARNING: boolean().prefault('true'),
  MAX_DATABASE_BYTES: integer(0, Number.MAX_SAFE_INTEGER).default(0),
  // Forwarding and replay (docs/forwarding.md): the server sends only to allowed targets.
  FORWARD_TO: z.string().optional(),
  FORWARD_ALLOWED_TARGETS: list().pipe(z.array(z.string()).min(1)).prefault(LOOPBACK_TARGETS.join(',')),
  FORWARD_TIMEOUT: duration(100, 300_000).prefault('10s'),
  FORWARD_MAX_ATTEMPTS: integer(1, 20).default(5),
  FORWARD_RETRY_BASE: duration(10, 600_000).prefault('1s'),
  FORWARD_QUEUE_MAX: integer(1, 1_000_000).default(10_000),
  REPLAY_MAX_EVENTS: integer(1, 100_000).default(1_000),
  REPLAY_WAIT: duration(0, 300_000).prefault('20s'),
  // Scale-out (docs/operations.md, "Readiness and draining", "Several replicas").
  DRAIN_DELAY: duration(0, 60_000).prefault('0s'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL (rediss: TLS)')
    .optional(),
});

/** Every setting of the service, validated once at start and frozen. */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** DATABASE_URL: the PostgreSQL store's database; null = the SQLite store in `dataDir`. */
  databaseUrl: string | null;
  /**
   * DATABASE_DIRECT_URL: the same database without a transaction pooler in between, for the migrations,
   * the maintenance and LISTEN; set, it says DATABASE_URL is a transaction pooler. Null: DATABASE_URL.
   */
  databaseDirectUrl: string | null;
  /** As configured (`7d`), for display. */
  eventRetention: string;
  eventRetentionMs: number;
  purgeIntervalMs: number;
  maxBodyBytes: number;
  mockEventsPerMinute: number;
  /** Refused deliveries kept at most (oldest dropped first). */
  maxRejections: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Verification of webhook signatures; null when WEBHOOK_SECRET is unset (every delivery accepted). */
  webhookSignature: WebhookSignatureConfig | null;
  /** Who may read (dashboard, GraphQL, REST); null when neither AUTH_TOKEN nor AUTH_USERS is set. */
  auth: AuthConfig | null;
  /** Bearer tokens that may read but change nothing (AUTH_READONLY_TOKENS); empty when unset. */
  readonlyTokens: readonly string[];
  /** READONLY_MAY_DELETE: whether those read-only tokens may delete events all the same. */
  readonlyMayDelete: boolean;
  /** Browser origins allowed to open a WebSocket besides the server's own and localhost. */
  allowedOrigins: readonly string[];
  graphqlIntrospection: boolean;
  graphqlMaxDepth: number;
  graphqlMaxAliases: number;
  graphqlMaxTokens: number;
  graphqlMaxCost: number;
  wsMaxPayloadBytes: number;
  wsMaxSubscriptions: number;
  wsInitTimeoutMs: number;
  wsMaxBufferedBytes: number;
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  /** Events kept at most, oldest evicted first; 0 = no cap. */
  maxStoredEvents: number;
  /** Learn payload schemas and judge drift at commit (SCHEMA_LEARNING). */
  schemaLearning: boolean;
  /** Size cap of the database file (writes beyond it answer 503); 0 = only the disk limits it. */
  maxDatabaseBytes: number;
  /** Where every accepted event is forwarded as it commits (FORWARD_TO); null = no forwarding. */
  forwardTo: string | null;
  /** The URL prefixes the server may send to (replay, FORWARD_TO); the loopback addresses by default. */
  forwardAllowedTargets: readonly AllowedTarget[];
  /** One attempt's limit, connection to the end of the answer's body. */
  forwardTimeoutMs: number;
  /** Attempts per event by FORWARD_TO, the first included. */
  forwardMaxAttempts: number;
  /** The wait before FORWARD_TO's first retry; each next one doubles it (capped at a minute). */
  forwardRetryBaseMs: number;
  /** Committed events waiting for FORWARD_TO at most; past it, an event is recorded as dropped. */
  forwardQueueMax: number;
  /** Events one replay may send at most. */
  replayMaxEvents: number;
  /** How long replayEvents waits for its attempts before answering (the rest go on). */
  replayWaitMs: number;
  /**
   * On SIGTERM, how long the replica keeps serving while `/readyz` already answers 503, so that a load
   * balancer's probes notice and stop routing to it before it stops accepting (DRAIN_DELAY).
   */
  drainDelayMs: number;
  /** Where replicas wake each other (REDIS_URL); null = PostgreSQL's LISTEN/NOTIFY. Needs databaseUrl. */
  redisUrl: string | null;
}

/**
 * How deliveries are signed: Standard Webhooks (`whsec_` base64 keys) or GitHub (`X-Hub-Signature-256`).
 * Several keys while a secret is rotated: a delivery signed with any of them verifies.
 */
export interface WebhookSignatureConfig {
  scheme: 'standard' | 'github';
  /** At least one, at most {@link MAX_WEBHOOK_SECRETS}, in the order configured. */
  keys: readonly Buffer[];
}

/** Secrets WEBHOOK_SECRET may list at once (old and new during a rotation, with room to spare). */
export const MAX_WEBHOOK_SECRETS = 10;

/**
 * Reads WEBHOOK_SECRET: one secret, or several separated by commas while a secret is rotated (the other
 * list variables use commas too; neither a `whsec_` key nor a generated GitHub secret contains one).
 * Blanks around entries are dropped. The messages say which entry is wrong, never what it holds.
 */
function parseWebhookSecrets(text: string, scheme: 'standard' | 'github'): WebhookSignatureConfig {
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = (reason: string): ConfigError =>
    new ConfigError(`invalid configuration:\n  WEBHOOK_SECRET: ${reason}`);
  if (entries.length > MAX_WEBHOOK_SECRETS) {
    throw bad(`at most ${MAX_WEBHOOK_SECRETS} comma-separated secrets, got ${entries.length}`);
  }
  const keys = entries.map((entry, index) => {
    const which = entries.length > 1 ? `secret ${index + 1} of ${entries.length}` : 'the secret';
    if (entry === '') throw bad(`${which} is empty (secrets are separated by single commas)`);
    if (scheme === 'github') return Buffer.from(entry, 'utf8');
    const key = decodeStandardSecret(entry);
    if (!key) {
      throw bad(
        `${which} must be whsec_ followed by base64 of at least 16 bytes (Standard Webhooks); set WEBHOOK_SIGNATURE=github for a GitHub secret`,
      );
    }
    return key;
  });
  return { scheme, keys: Object.freeze(keys) };
}

/** Reader credentials: one bearer token, or users with scrypt-hashed passwords (basic auth). */
export type AuthConfig = { kind: 'token'; token: string } | { kind: 'users'; users: readonly string[] };

/** Decodes a Standard Webhooks secret (`whsec_` + base64, the prefix optional); null when malformed. */
export function decodeStandardSecret(secret: string): Buffer | null {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const key = Buffer.from(base64, 'base64');
  // The specification asks for 24 to 64 random bytes; fewer is a typo or a password, not a key.
  return key.length >= 16 ? key : null;
}

/** Thrown when the environment holds a bad value; its message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates an environment (default: `process.env`, after reading `.env` when present) into a frozen Config. */
export function loadConfig(env: NodeJS.ProcessEnv = readProcessEnv()): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const webhookSignature =
    e.WEBHOOK_SECRET === undefined ? null : parseWebhookSecrets(e.WEBHOOK_SECRET, e.WEBHOOK_SIGNATURE);
  if (e.AUTH_TOKEN !== undefined && e.AUTH_USERS !== undefined) {
    throw new ConfigError('invalid configuration:\n  AUTH_TOKEN, AUTH_USERS: set one of them, not both');
  }
  const readonlyTokens = Object.freeze(e.AUTH_READONLY_TOKENS ?? []);
  if (readonlyTokens.length > 0) {
    if (e.AUTH_TOKEN === undefined && e.AUTH_USERS === undefined) {
      throw new ConfigError(
        'invalid configuration:\n  AUTH_READONLY_TOKENS: needs AUTH_TOKEN or AUTH_USERS too (someone must be able to change things)',
      );
    }
    if (e.AUTH_TOKEN !== undefined && readonlyTokens.includes(e.AUTH_TOKEN)) {
      throw new ConfigError('invalid configuration:\n  AUTH_READONLY_TOKENS: must not contain AUTH_TOKEN');
    }
  }
  const auth: AuthConfig | null =
    e.AUTH_TOKEN !== undefined
      ? { kind: 'token', token: e.AUTH_TOKEN }
      : e.AUTH_USERS !== undefined
        ? { kind: 'users', users: Object.freeze(e.AUTH_USERS) }
        : null;
  const forward = forwardSettings(e.FORWARD_ALLOWED_TARGETS, e.FORWARD_TO);
  if (e.DATABASE_DIRECT_URL !== undefined && e.DATABASE_URL === undefined) {
    throw new ConfigError(
      'invalid configuration:\n  DATABASE_DIRECT_URL: needs DATABASE_URL too (it is the direct way to the same PostgreSQL database)',
    );
  }
  if (e.REDIS_URL !== undefined && e.DATABASE_URL === undefined) {
    throw new ConfigError(
      'invalid configuration:\n  REDIS_URL: needs DATABASE_URL too (Redis only wakes replicas that share a PostgreSQL database; one SQLite process needs neither)',
    );
  }
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? null,
    databaseDirectUrl: e.DATABASE_DIRECT_URL ?? null,
    eventRetention: e.EVENT_RETENTION.text,
    eventRetentionMs: e.EVENT_RETENTION.ms,
    purgeIntervalMs: e.PURGE_INTERVAL.ms,
    maxBodyBytes: e.MAX_BODY_BYTES,
    mockEventsPerMinute: e.MOCK_EVENTS_PER_MINUTE,
    maxRejections: e.MAX_REJECTIONS,
    logLevel: e.LOG_LEVEL,
    webhookSignature,
    auth,
    readonlyTokens,
    readonlyMayDelete: e.READONLY_MAY_DELETE,
    allowedOrigins: Object.freeze(e.ALLOWED_ORIGINS),
    graphqlIntrospection: e.GRAPHQL_INTROSPECTION,
    graphqlMaxDepth: e.GRAPHQL_MAX_DEPTH,
    graphqlMaxAliases: e.GRAPHQL_MAX_ALIASES,
    graphqlMaxTokens: e.GRAPHQL_MAX_TOKENS,
    graphqlMaxCost: e.GRAPHQL_MAX_COST,
    wsMaxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
    wsMaxSubscriptions: e.WS_MAX_SUBSCRIPTIONS,
    wsInitTimeoutMs: e.WS_INIT_TIMEOUT.ms,
    wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT.ms,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT.ms,
    maxStoredEvents: e.MAX_STORED_EVENTS,
    schemaLearning: e.SCHEMA_LEARNING,
    maxDatabaseBytes: e.MAX_DATABASE_BYTES,
    forwardTo: forward.forwardTo,
    forwardAllowedTargets: Object.freeze(forward.allowed),
    forwardTimeoutMs: e.FORWARD_TIMEOUT.ms,
    forwardMaxAttempts: e.FORWARD_MAX_ATTEMPTS,
    forwardRetryBaseMs: e.FORWARD_RETRY_BASE.ms,
    forwardQueueMax: e.FORWARD_QUEUE_MAX,
    replayMaxEvents: e.REPLAY_MAX_EVENTS,
    replayWaitMs: e.REPLAY_WAIT.ms,
    drainDelayMs: e.DRAIN_DELAY.ms,
    redisUrl: e.REDIS_URL ?? null,
  });
}

/** The allowed targets, and FORWARD_TO checked against them: a forward target outside is a start-up error. */
function forwardSettings(
  prefixes: string[],
  forwardTo: string | undefined,
): { allowed: AllowedTarget[]; forwardTo: string | null } {
  const allowed: AllowedTarget[] = [];
  for (const prefix of prefixes) {
    const parsed = parseAllowedTarget(prefix);
    if (typeof parsed === 'string') {
      throw new ConfigError(`invalid configuration:\n  FORWARD_ALLOWED_TARGETS: ${parsed}`);
    }
    allowed.push(parsed);
  }
  if (forwardTo === undefined) return { allowed, forwardTo: null };
  if (!URL.canParse(forwardTo)) {
    throw new ConfigError(`invalid configuration:\n  FORWARD_TO: "${forwardTo}" is not an absolute URL`);
  }
  const url = new URL(forwardTo);
  if (!isTargetAllowed(url, allowed)) {
    throw new ConfigError(
      `invalid configuration:\n  FORWARD_TO: ${url.href} is not inside FORWARD_ALLOWED_TARGETS (${prefixes.join(', ')})`,
    );
  }
  return { allowed, forwardTo: url.href };
}

function readProcessEnv(): NodeJS.ProcessEnv {
  // Variables already set win over the file, as with docker's env_file and most dotenv loaders.
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}
