import { describe, expect, it } from 'vitest';
import { diffTasksFiles, ErrorCode, exceedsJsonDepth, findTag, MAX_JSON_DEPTH, newTagNameProblem, parseTasksFileText, TaskmasterError } from '../src/index.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('JSON nesting depth', () => {
  it('measures depth without recursion, at any depth', () => {
    expect(exceedsJsonDepth(1)).toBe(false);
    expect(exceedsJsonDepth(JSON.parse(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(exceedsJsonDepth(JSON.parse(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(exceedsJsonDepth(JSON.parse(nested(100_000)))).toBe(true);
    expect(exceedsJsonDepth({ a: [{ b: { c: [] } }] }, 5)).toBe(false);
    expect(exceedsJsonDepth({ a: [{ b: { c: [] } }] }, 4)).toBe(true);
  });

  it('refuses a tasks file nested 100k deep as invalid params, not a stack overflow', () => {
    const text = `{"master":{"tasks":[{"id":1,"title":"t","status":"pending","dependencies":[],"metadata":${nested(100_000)}}]}}`;
    let thrown: unknown;
    try {
      parseTasksFileText(text, 'tasks.json');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TaskmasterError);
    expect((thrown as TaskmasterError).code).toBe(ErrorCode.InvalidParams);
    expect((thrown as TaskmasterError).message).toMatch(/tasks\.json: .*deeper than 256 levels/);
  });
});

describe('tags named like Object.prototype members', () => {
  const file = JSON.parse('{"master":{"tasks":[]},"__proto__":{"tasks":[{"id":1,"title":"p","status":"pending","dependencies":[]}]}}');

  it('finds only the file’s own tags', () => {
    expect(findTag(file, '__proto__')?.tasks).toHaveLength(1);
    expect(findTag(file, 'constructor')).toBeUndefined();
    expect(findTag(file, 'toString')).toBeUndefined();
    expect(findTag({ tasks: [] }, 'hasOwnProperty')).toBeUndefined();
    expect(findTag({ tasks: [] }, 'master')).toEqual({ tasks: [] });
  });

  it('diffs a file gaining a constructor tag as created tasks in that tag', () => {
    const after = JSON.parse('{"master":{"tasks":[]},"constructor":{"tasks":[{"id":1,"title":"c","status":"pending","dependencies":[]}]}}');
    expect(diffTasksFiles({ master: { tasks: [] } }, after).map((c) => [c.event, c.payload.tag, c.payload.id])).toEqual([['task.created', 'constructor', '1']]);
  });

  it('refuses __proto__ and blank names as new tags, with a reason', () => {
    expect(newTagNameProblem('__proto__')).toMatch(/__proto__/);
    expect(newTagNameProblem('  ')).toMatch(/non-empty/);
    expect(newTagNameProblem('constructor')).toBeUndefined();
    expect(newTagNameProblem('$(touch x)')).toBeUndefined();
  });
});
