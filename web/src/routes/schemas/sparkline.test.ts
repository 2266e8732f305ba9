import { describe, expect, it } from 'vitest';
import { HOUR_MS, hourlySeries, sparklinePoints } from './sparkline.js';

describe('sparklines', () => {
  const now = Date.UTC(2026, 0, 2, 10, 30);
  const hour = (h: number): string => new Date(Date.UTC(2026, 0, 2, h)).toISOString();

  it('lays hourly counts over the window, oldest first, zero where nothing was seen', () => {
    const series = hourlySeries(
      [
        { hour: hour(7), count: 9 }, // before the window: left out
        { hour: hour(8), count: 2 },
        { hour: hour(10), count: 5 },
      ],
      now,
      3 * HOUR_MS,
    );
    expect(series).toEqual([2, 0, 5]);
  });

  it('draws the largest value at the top and zero at the bottom', () => {
    expect(sparklinePoints([0, 4, 2], 10, 12)).toBe('0,11 5,1 10,6');
  });
});
