import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/domain/json.js';

// The locator's messages reach senders in 400 responses (JSON.parse's own give no position), so each
// container rule keeps its wording: where it stopped and what it expected there.
describe('findJsonSyntaxError: what the containers expect', () => {
  it.each([
    [
      '{"a":1 "b":2}',
      "unexpected '\"' at line 1 column 8 (position 7); expected ',' or '}' after a property value",
    ],
    ['{"a":1,}', "unexpected '}' at line 1 column 8 (position 7); expected a double-quoted property name"],
    ['{a:1}', "unexpected 'a' at line 1 column 2 (position 1); expected a double-quoted property name"],
    ['{"a" 1}', "unexpected '1' at line 1 column 6 (position 5); expected ':' after the property name"],
    ['{"a":}', "unexpected '}' at line 1 column 6 (position 5); expected a JSON value"],
    [
      '{"a":1',
      "unexpected end of input at line 1 column 7 (position 6); expected ',' or '}' after a property value",
    ],
    ['[1 2]', "unexpected '2' at line 1 column 4 (position 3); expected ',' or ']' after an array element"],
    ['[1,]', "unexpected ']' at line 1 column 4 (position 3); expected a JSON value"],
    [
      '[1,\n  2',
      "unexpected end of input at line 2 column 4 (position 7); expected ',' or ']' after an array element",
    ],
    [
      '{"a":[1}',
      "unexpected '}' at line 1 column 8 (position 7); expected ',' or ']' after an array element",
    ],
  ])('%j', (text, message) => {
    expect(findJsonSyntaxError(text)?.message).toBe(message);
  });

  it.each(['{}', '[]', '{ }', '[ ]', '{"a":[1,{"b":[]}],"c":{}}', ' [ 1 , 2 ] '])('accepts %j', (text) => {
    expect(findJsonSyntaxError(text)).toBeNull();
  });
});
