import { describe, expect, it } from 'vitest';
import { locateJsonSyntaxError } from '../src/json-syntax-error.js';

describe('locating JSON syntax errors', () => {
  it('accepts everything JSON.parse accepts', () => {
    for (const text of ['{}', '[]', ' 0 ', '-1.5e+3', '"a\\u00e9\\n"', '{"a": [true, false, null, {"b": "c"}]}']) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(locateJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected ','/],
    ['{"a": [1, 2', 1, 12, /end of input/],
    ['', 1, 1, /end of input/],
    ['{"a" 1}', 1, 6, /expected ':'/],
    ['{"a": tru}', 1, 7, /unexpected character/],
    ["{'a': 1}", 1, 2, /property name/],
    ['{"a": 01}', 1, 8, /expected ','/],
    ['{"a": "tab\there"}', 1, 11, /control character/],
    ['{} {}', 1, 4, /after the end/],
  ])('finds the error in %j at line %i, column %i', (text, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    const found = locateJsonSyntaxError(text);
    expect(found).toMatchObject({ line, column });
    expect(found!.reason).toMatch(reason);
  });
});
