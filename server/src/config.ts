import { existsSync } from 'node:fs';
import { z } from 'zod';

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `7d`, `12h`, `30m`, `45s` or `250ms` into milliseconds; null when the text is not such a duration. */
export function parseDurationMs(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const unit = match[2] as keyof typeof DURATION_UNITS_MS;
  return Number(match[1]) * DURATION_UNITS_MS[unit];
}

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

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65_535).default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  EVENT_RETENTION: duration(1_000, 3_650 * 86_400_000).prefault('7d'),
  PURGE_INTERVAL: duration(1_000, 86_400_000).prefault('1m'),
  MAX_BODY_BYTES: integer(1_024, 64 * 1_048_576).default(1_048_576),
  MOCK_EVENTS_PER_MINUTE: integer(0, 60_000).default(0),
  MAX_REJECTIONS: integer(10, 1_000_000).default(1_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Every setting of the service, validated once at start and frozen. */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** As configured (`7d`), for display. */
  eventRetention: string;
  eventRetentionMs: number;
  purgeIntervalMs: number;
  maxBodyBytes: number;
  mockEventsPerMinute: number;
  /** Refused deliveries kept at most (oldest dropped first). */
  maxRejections: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
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
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    eventRetention: e.EVENT_RETENTION.text,
    eventRetentionMs: e.EVENT_RETENTION.ms,
    purgeIntervalMs: e.PURGE_INTERVAL.ms,
    maxBodyBytes: e.MAX_BODY_BYTES,
    mockEventsPerMinute: e.MOCK_EVENTS_PER_MINUTE,
    maxRejections: e.MAX_REJECTIONS,
    logLevel: e.LOG_LEVEL,
  });
}

function readProcessEnv(): NodeJS.ProcessEnv {
  // Variables already set win over the file, as with docker's env_file and most dotenv loaders.
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}
