import { ErrorCode, invalidMethodParams, TaskmasterError } from '@taskmaster/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../src/report-error.js';

afterEach(() => vi.restoreAllMocks());

/** What `reportError` prints for `err`, as a user reads it on stderr. */
function printed(err: unknown): string {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((text += String(chunk)), true));
  reportError(err);
  vi.restoreAllMocks();
  return text.trim();
}

describe('reportError on -32602', () => {
  it('offers --help where the protocol schema refused the request, as it lists the issues, and nothing where the message says its own way out', () => {
    const refusedShape = invalidMethodParams('task.update', [{ code: 'too_small', path: ['changes', 'title'], message: 'Too small', minimum: 1, origin: 'string', inclusive: true, input: '' } as never]);
    expect(printed(refusedShape)).toMatch(/^error: invalid params for "task\.update": .* — check the command and its options with --help$/);
    // The same code about the tasks, over the wire (data without issues): as it is.
    const aboutTheTasks = TaskmasterError.fromShape({ code: ErrorCode.InvalidParams, message: 'to: task 2 already exists in tag "master"; give a free id (the next one is 9)', data: { id: '2', tag: 'master' } });
    expect(printed(aboutTheTasks)).toBe('error: to: task 2 already exists in tag "master"; give a free id (the next one is 9)');
  });
});
