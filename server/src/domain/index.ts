/** The event domain, pure: webhook body validation, the entity fold and the mock generator. */
export * from './types.js';
export * from './validate.js';
export * from './fold.js';
export * from './mock.js';
export { parseRfc3339, isLeapYear, daysInMonth, type Rfc3339Result } from './time.js';
export { jsonEqual, isJsonObject } from './json.js';
