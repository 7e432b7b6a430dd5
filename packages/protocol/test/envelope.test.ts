import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  JsonRpcRequestSchema,
  SyncMessageSchema,
  TaskmasterError,
  envelopeKind,
  matchesEventPattern,
  methods,
  updateChanges,
  SyncConfigSchema,
} from '../src/index.js';

describe('envelopes', () => {
  it('accepts the spec example messages', () => {
    const msg = { id: '3', type: 'request', method: 'task.update', params: { id: 'task-001', status: 'completed' } };
    expect(SyncMessageSchema.parse(msg)).toMatchObject(msg);
    expect(envelopeKind(msg)).toBe('sync');
    // The envelope is the spec's; its example status "completed" is not Task Master's, so the method refuses it.
    const refused = methods['task.update'].params.safeParse(msg.params);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toContain('use one of pending, in-progress, done, review, deferred, cancelled, blocked');
    const params = methods['task.update'].params.parse({ ...msg.params, status: 'done' });
    expect(updateChanges(params)).toEqual({ status: 'done' });
  });

  it('tells JSON-RPC requests and batches apart from the spec envelope', () => {
    expect(envelopeKind({ jsonrpc: '2.0', method: 'ping', id: 1 })).toBe('jsonrpc');
    expect(envelopeKind([])).toBe('jsonrpc');
    expect(envelopeKind('x')).toBe('unknown');
    expect(JsonRpcRequestSchema.safeParse({ jsonrpc: '1.0', method: 'ping' }).success).toBe(false);
  });

  it('rejects unknown update fields instead of writing them blindly', () => {
    expect(methods['task.update'].params.safeParse({ id: 1, titel: 'typo' }).success).toBe(false);
    expect(methods['task.update'].params.safeParse({ id: 1, status: 'finished' }).success).toBe(false);
  });

  it('matches event patterns', () => {
    expect(matchesEventPattern('*', 'task.updated')).toBe(true);
    expect(matchesEventPattern('task.*', 'task.status.changed')).toBe(true);
    expect(matchesEventPattern('task.*', 'sync.connected')).toBe(false);
    expect(matchesEventPattern('file.changed', 'file.changed')).toBe(true);
  });

  it('carries codes through the wire form of errors', () => {
    const err = new TaskmasterError(ErrorCode.SyncConflict, 'conflict', { fields: ['title'] });
    const back = TaskmasterError.fromShape(JSON.parse(JSON.stringify(err)));
    expect(back.code).toBe(1006);
    expect(back.data).toEqual({ fields: ['title'] });
  });

  it('fills sync.json defaults and rejects unknown keys', () => {
    expect(SyncConfigSchema.parse({})).toMatchObject({ host: '127.0.0.1', port: 5173, httpPort: 5174 });
    const bad = SyncConfigSchema.safeParse({ prot: 1 });
    expect(bad.success).toBe(false);
  });
});
