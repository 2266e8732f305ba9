/** The hour a sparkline's bucket spans. */
export const HOUR_MS = 3_600_000;
/** At most this many hours are drawn (a week), however long the retention. */
export const MAX_SPARKLINE_HOURS = 168;

/**
 * Hourly counts laid out over the window ending at the hour of `nowMs`: one value per hour, oldest first,
 * zero where nothing was seen. Hours outside the window are left out.
 */
export function hourlySeries(
  seen: readonly { hour: string; count: number }[],
  nowMs: number,
  windowMs: number,
): number[] {
  const hours = Math.max(1, Math.min(MAX_SPARKLINE_HOURS, Math.ceil(windowMs / HOUR_MS)));
  const lastStart = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const firstStart = lastStart - (hours - 1) * HOUR_MS;
  const series = new Array<number>(hours).fill(0);
  for (const bucket of seen) {
    const index = Math.round((Date.parse(bucket.hour) - firstStart) / HOUR_MS);
    if (index >= 0 && index < hours) series[index] = (series[index] ?? 0) + bucket.count;
  }
  return series;
}

/** The polyline points of a series in a `width` × `height` box (the top is the largest value). */
export function sparklinePoints(series: readonly number[], width: number, height: number): string {
  const max = Math.max(1, ...series);
  const step = series.length > 1 ? width / (series.length - 1) : 0;
  return series
    .map((value, i) => `${round(i * step)},${round(height - 1 - (value / max) * (height - 2))}`)
    .join(' ');
}

const round = (n: number): number => Math.round(n * 10) / 10;
