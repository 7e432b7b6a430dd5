import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { describe, expect, it } from 'vitest';
import { errorText } from '../src/errorText.js';

describe('error notifications', () => {
  it('add a fix to a code whose message does not say what to do', () => {
    const refused = new TaskmasterError(ErrorCode.ConnectionFailed, 'cannot reach ws://127.0.0.1:5173/taskmaster');
    expect(errorText('set the status', refused)).toBe(
      'TaskMaster: could not set the status — connection failed (1001): cannot reach ws://127.0.0.1:5173/taskmaster Start the server with "TaskMaster: Start Server" or check taskmaster.host/port.',
    );
  });

  it('leave a 1005 as the store said it: a mode, a lock and a full disk each name their own fix', () => {
    const messages = [
      'tasks.json is read-only (mode 0444); nothing was written; make it writable to allow changes',
      'tasks.json is locked by another process (lock tasks.json.lock, waited 10.0 s); try again when it finishes',
      'cannot write tasks.json: the disk is full (ENOSPC); nothing was written; free some space and try again',
    ];
    for (const message of messages) {
      expect(errorText('add a task', new TaskmasterError(ErrorCode.FileAccessDenied, message))).toBe(`TaskMaster: could not add a task — file access denied (1005): ${message}`);
    }
  });

  it('give any other error its message', () => {
    expect(errorText('start the sync server', new Error('spawn taskmaster ENOENT'))).toBe('TaskMaster: could not start the sync server — spawn taskmaster ENOENT');
  });
});
