// The traffic picture's time buckets: pure arithmetic shared by the store (which keeps per-minute and
// per-hour counts) and the API (which picks a size for a window).

/** One minute and one hour, in ms: the two sizes the stores keep counts at. */
export const MINUTE_MS = 60_000;
/** One hour in ms. */
export const HOUR_MS = 3_600_000;

/** The bucket sizes a traffic query may ask for, smallest first (each is whole minutes or whole hours). */
export const TRAFFIC_BUCKET_SIZES_MS = [
  MINUTE_MS,
  5 * MINUTE_MS,
  15 * MINUTE_MS,
  HOUR_MS,
  6 * HOUR_MS,
  24 * HOUR_MS,
] as const;

/** Buckets one traffic query answers at most: a chart a few pixels per bar wide, never a scan. */
export const MAX_TRAFFIC_BUCKETS = 1_500;

/** Buckets the automatic choice aims at most: 7 days per hour (169), 6 hours per minute (361), a day per 5 minutes. */
export const AUTO_TRAFFIC_BUCKETS = 480;

/** The start of the bucket of size `bucketMs` that holds `atMs` (buckets are aligned to the epoch, UTC). */
export const bucketStartMs = (atMs: number, bucketMs: number): number =>
  Math.floor(atMs / bucketMs) * bucketMs;

/** The smallest bucket size that covers [sinceMs, untilMs) in at most {@link AUTO_TRAFFIC_BUCKETS} buckets. */
export function autoBucketMs(sinceMs: number, untilMs: number): number {
  for (const size of TRAFFIC_BUCKET_SIZES_MS) {
    if (bucketCount(sinceMs, untilMs, size) <= AUTO_TRAFFIC_BUCKETS) return size;
  }
  return 24 * HOUR_MS;
}

/** How many buckets of `bucketMs` [sinceMs, untilMs) touches (0 when empty). */
export function bucketCount(sinceMs: number, untilMs: number, bucketMs: number): number {
  if (untilMs <= sinceMs) return 0;
  return (bucketStartMs(untilMs - 1, bucketMs) - bucketStartMs(sinceMs, bucketMs)) / bucketMs + 1;
}
