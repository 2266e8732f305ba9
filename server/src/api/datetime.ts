import { InputError } from './errors.js';
import { formatRfc3339, parseRfc3339 } from '../shared/time.js';

/** Parses an API date-time argument to epoch ms, throwing an InputError naming `argument`. */
export function dateTimeToMs(text: string, argument: string): number {
  const parsed = parseRfc3339(text);
  if (!parsed.ok) throw new InputError(argument, parsed.message);
  return parsed.timeMs;
}

/** Formats epoch ms as the API's DateTime (RFC 3339, UTC, milliseconds). */
export const msToDateTime: (ms: number) => string = formatRfc3339;
