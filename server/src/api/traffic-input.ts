import {
  autoBucketMs,
  bucketCount,
  bucketStartMs,
  HOUR_MS,
  MAX_TRAFFIC_BUCKETS,
  MINUTE_MS,
} from '../domain/traffic.js';
import type { TrafficBucket, TrafficQuery } from '../store/types.js';
import { dateTimeToMs } from './datetime.js';
import { InputError } from './errors.js';

/** The API's names of the bucket sizes (GraphQL's TrafficBucketSize), each with its width. */
export const TRAFFIC_BUCKET_NAMES = {
  MINUTE: MINUTE_MS,
  FIVE_MINUTES: 5 * MINUTE_MS,
  FIFTEEN_MINUTES: 15 * MINUTE_MS,
  HOUR: HOUR_MS,
  SIX_HOURS: 6 * HOUR_MS,
  DAY: 24 * HOUR_MS,
} as const;
/** One of {@link TRAFFIC_BUCKET_NAMES}' keys. */
export type TrafficBucketName = keyof typeof TRAFFIC_BUCKET_NAMES;

/** The arguments of a traffic question, as the API receives them. */
export interface TrafficInput {
  since?: string | null;
  until?: string | null;
  bucket?: TrafficBucketName | null;
  splitBy: 'ACTION' | 'ENTITY_TYPE';
}

/** A traffic question resolved against the clock: the store's query and the names the answer echoes. */
export interface TrafficWindow {
  query: TrafficQuery;
  bucket: TrafficBucketName;
  /** The start of the first bucket and the end of the last. */
  fromMs: number;
  toMs: number;
}

const nameOf = (bucketMs: number): TrafficBucketName =>
  (Object.keys(TRAFFIC_BUCKET_NAMES) as TrafficBucketName[]).find(
    (name) => TRAFFIC_BUCKET_NAMES[name] === bucketMs,
  ) ?? 'DAY';

/**
 * Resolves `input` at `nowMs` under the cut-off: `since` defaults to (and is raised to) the cut-off,
 * `until` defaults to just after now; without a bucket the automatic size is chosen. Throws an
 * InputError naming the argument at fault.
 */
export function toTrafficWindow(input: TrafficInput, nowMs: number, cutoffMs: number): TrafficWindow {
  const askedSinceMs = input.since ? dateTimeToMs(input.since, 'since') : cutoffMs;
  // Exclusive: an event received this very millisecond is in the window.
  const untilMs = input.until ? dateTimeToMs(input.until, 'until') : nowMs + 1;
  if (untilMs < askedSinceMs) throw new InputError('until', 'must not be before since');
  const sinceMs = Math.max(askedSinceMs, cutoffMs);
  const bucketMs = input.bucket ? TRAFFIC_BUCKET_NAMES[input.bucket] : autoBucketMs(sinceMs, untilMs);
  const buckets = bucketCount(sinceMs, untilMs, bucketMs);
  if (buckets > MAX_TRAFFIC_BUCKETS)
    throw new InputError(
      'bucket',
      `the window holds ${buckets} buckets of this size, more than ${MAX_TRAFFIC_BUCKETS}: choose a larger bucket or a shorter window`,
    );
  const fromMs = bucketStartMs(sinceMs, bucketMs);
  return {
    query: {
      sinceMs,
      untilMs,
      bucketMs,
      splitBy: input.splitBy === 'ACTION' ? 'action' : 'entityType',
    },
    bucket: nameOf(bucketMs),
    fromMs,
    toMs: fromMs + Math.max(buckets, 0) * bucketMs,
  };
}

/** The split keys with any event in `buckets`, sorted as `split` is (the columns of `TrafficBucket.counts`). */
export function trafficKeys(buckets: readonly TrafficBucket[]): string[] {
  const keys = new Set<string>();
  for (const bucket of buckets) for (const { key } of bucket.split) keys.add(key);
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
