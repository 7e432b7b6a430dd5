import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError, parseTasksFileText, TaskmasterError } from '../src/index.js';

describe('locating JSON syntax errors', () => {
  it('accepts everything JSON.parse accepts', () => {
    for (const text of ['{}', '[]', ' 0 ', '-1.5e+3', '"a\\u00e9\\n"', '{"a": [true, false, null, {"b": "c"}]}']) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected ','/],
    ['{"a": [1, 2', 1, 12, /end of input/],
    ['', 1, 1, /end of input/],
    ['{"a" 1}', 1, 6, /expected ':'/],
    ['{"a": tru}', 1, 7, /unexpected 't'/],
    ["{'a': 1}", 1, 2, /property name/],
    ['{"a": 01}', 1, 8, /expected ','/],
    ['{"a": "tab\there"}', 1, 11, /invalid character/],
    ['{} {}', 1, 4, /after the end/],
  ])('finds the error in %j at line %i, column %i', (text, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    const found = findJsonSyntaxError(text);
    expect(found).toMatchObject({ line, column });
    expect(found!.reason).toMatch(reason);
  });
});

describe('parseTasksFileText', () => {
  it('reports bad JSON as -32700 with line and column, without quoting the text', () => {
    try {
      parseTasksFileText('{\n  "master": {"tasks": [\n    {"id": 1, "title": "secret plan",}\n  ]}\n}', 'tasks.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TaskmasterError);
      expect(err).toMatchObject({ code: -32700, data: { line: 3, column: 38 } });
      expect((err as Error).message).not.toContain('secret');
    }
  });

  it('reports a wrong shape as -32602 naming the path', () => {
    expect(() => parseTasksFileText('{"master": {"tasks": [{"id": 1}]}}', 'tasks.json')).toThrow(
      /tasks\.json: master\.tasks\[0\]\.title/,
    );
  });

  it('accepts a byte-order mark', () => {
    expect(parseTasksFileText('\uFEFF{"master": {"tasks": []}}', 'tasks.json')).toEqual({ master: { tasks: [] } });
  });
});
