import type { Json, JsonObject } from './types.js';

/** True for a JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value's JSON type for messages: `number 42`, `array`, `null`, `missing`. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** JSON-quotes a string for a message, cut to `maxChars` so a huge value cannot flood an error body. */
export function quote(text: string, maxChars = 80): string {
  return JSON.stringify(text.length > maxChars ? `${text.slice(0, maxChars)}…` : text);
}

/**
 * Finds where text nests objects/arrays deeper than `maxDepth`, without parsing: one pass, skipping
 * string contents. Runs before JSON.parse because V8's parser recurses and a deep enough body
 * overflows the stack; anything downstream that walks the value recursively would too.
 * Returns the position of the first opening bracket past the limit, or -1.
 */
export function findTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, including a quote
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}

/** Where a JSON text first breaks the grammar (RFC 8259). */
export interface JsonSyntaxError {
  /** Offset in UTF-16 code units of the decoded text. */
  position: number;
  line: number;
  column: number;
  message: string;
}

class Stop {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {}
}

/**
 * Locates the first syntax error of a JSON text, or returns null when it is valid. Only run after
 * JSON.parse failed: V8's messages do not always say where (`Unexpected token '}', "{"a":}" is not valid JSON`).
 * Recursive, so call it only on text that passed {@link findTooDeep}.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const n = text.length;
  const skipWhitespace = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const expectWord = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) {
      if (text[i] !== word[k]) throw new Stop(i, `"${word}"`);
    }
  };
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  const digits = (): void => {
    if (!isDigit(text.charCodeAt(i))) throw new Stop(i, 'a digit');
    while (isDigit(text.charCodeAt(i))) i++;
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= n) throw new Stop(i, 'a closing quote');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw new Stop(i, 'an escaped control character (\\n, \\t, \\u00XX) inside the string');
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) throw new Stop(i + k, 'a hex digit of a \\u escape');
          }
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i++;
        } else {
          throw new Stop(i, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
      } else {
        i++;
      }
    }
  };
  /** Skips white space, then `close` if it stands there: true when it did (the container ends). */
  const closes = (close: '}' | ']'): boolean => {
    skipWhitespace();
    if (text[i] !== close) return false;
    i++;
    return true;
  };
  /** After a member or an element: true when `close` ends the container, false after a ',' (another follows). */
  const ends = (close: '}' | ']', expected: string): boolean => {
    if (closes(close)) return true;
    if (text[i] !== ',') throw new Stop(i, expected);
    i++;
    return false;
  };
  const member = (): void => {
    skipWhitespace();
    if (text[i] !== '"') throw new Stop(i, 'a double-quoted property name');
    string();
    skipWhitespace();
    if (text[i] !== ':') throw new Stop(i, "':' after the property name");
    i++;
    value();
  };
  const value = (): void => {
    skipWhitespace();
    const c = text[i];
    if (c === '{') {
      i++;
      if (closes('}')) return;
      do member();
      while (!ends('}', "',' or '}' after a property value"));
    } else if (c === '[') {
      i++;
      if (closes(']')) return;
      do value();
      while (!ends(']', "',' or ']' after an array element"));
    } else if (c === '"') {
      string();
    } else if (c === 't') {
      expectWord('true');
    } else if (c === 'f') {
      expectWord('false');
    } else if (c === 'n') {
      expectWord('null');
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      number();
    } else {
      throw new Stop(i, 'a JSON value');
    }
  };
  try {
    value();
    skipWhitespace();
    if (i < n) throw new Stop(i, 'the end of the input');
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return describeStop(text, err);
  }
}

function describeStop(text: string, stop: Stop): JsonSyntaxError {
  const position = Math.min(stop.position, text.length);
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < position; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  const column = position - lineStart + 1;
  const found = position >= text.length ? 'end of input' : describeChar(text.charCodeAt(position));
  return {
    position,
    line,
    column,
    message: `unexpected ${found} at line ${line} column ${column} (position ${position}); expected ${stop.expected}`,
  };
}

function describeChar(code: number): string {
  if (code < 0x20 || code === 0x7f)
    return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCharCode(code)}'`;
}

/** Deep equality of two JSON values (object key order ignored, own keys only). */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (!jsonEqual(a[k], b[k])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false;
  }
  return true;
}
