// Time as text, in one place: RFC 3339 date-times (read with a message per field, because senders need to
// know which part of a date is impossible; written in UTC) and the durations of the configuration.

/** The result of reading an RFC 3339 date-time: epoch milliseconds, or why it was refused. */
export type Rfc3339Result = { ok: true; timeMs: number } | { ok: false; message: string };

/** The message for text that does not have the RFC 3339 `date-time` shape at all. */
export const RFC3339_SHAPE_MESSAGE =
  'must be an RFC 3339 date-time with a time zone, e.g. 2021-12-20T10:59:55Z or 2021-12-20T11:59:55.5+01:00';

// RFC 3339 section 5.6 `date-time`; T and Z are case-insensitive there. The space separator that the RFC's
// note tolerates is refused: senders that use it usually also drop the zone, and one spelling is easier to debug.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** True for Gregorian leap years (every 4th, except centuries not divisible by 400). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1-12) of a year, proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Reads an RFC 3339 date-time with a zone (`Z` or `±hh:mm`) into epoch milliseconds.
 * Ranges are checked here because `Date` silently rolls `2021-02-30` over to March 2.
 * Fractional seconds beyond milliseconds are truncated; leap second `:60` is refused (`Date` cannot hold it).
 */
export function parseRfc3339(text: string): Rfc3339Result {
  const m = RFC3339.exec(text);
  if (!m) return { ok: false, message: RFC3339_SHAPE_MESSAGE };
  const [
    ,
    yearText,
    monthText,
    dayText,
    hourText,
    minuteText,
    secondText,
    fraction,
    sign,
    offHText,
    offMText,
  ] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string?,
    string?,
    string?,
    string?,
  ];
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (month < 1 || month > 12)
    return { ok: false, message: `impossible date: month ${monthText} (must be 01-12)` };
  const monthDays = daysInMonth(year, month);
  if (day < 1 || day > monthDays) {
    const monthName = MONTH_NAMES[month - 1] ?? monthText;
    return {
      ok: false,
      message: `impossible date: ${yearText}-${monthText}-${dayText} (${monthName} ${yearText} has ${monthDays} days)`,
    };
  }
  if (hour > 23) return { ok: false, message: `impossible time: hour ${hourText} (must be 00-23)` };
  if (minute > 59) return { ok: false, message: `impossible time: minute ${minuteText} (must be 00-59)` };
  if (second === 60) return { ok: false, message: 'impossible time: leap second 60 is not supported' };
  if (second > 59) return { ok: false, message: `impossible time: second ${secondText} (must be 00-59)` };
  let offsetMinutes = 0;
  if (sign !== undefined && offHText !== undefined && offMText !== undefined) {
    const offH = Number(offHText);
    const offM = Number(offMText);
    if (offH > 23 || offM > 59) {
      return {
        ok: false,
        message: `impossible time zone offset: ${sign}${offHText}:${offMText} (must be within ±23:59)`,
      };
    }
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return { ok: true, timeMs: date.getTime() - offsetMinutes * 60_000 };
}

/** Formats epoch milliseconds as an RFC 3339 date-time in UTC with milliseconds: `2021-12-20T10:59:55.000Z`. */
export function formatRfc3339(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `7d`, `12h`, `30m`, `45s` or `250ms` into milliseconds; null when the text is not such a duration. */
export function parseDurationMs(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const unit = match[2] as keyof typeof DURATION_UNITS_MS;
  return Number(match[1]) * DURATION_UNITS_MS[unit];
}
