import { freeze, produce } from 'immer';
import { expect } from 'vitest';
import { idKey, methods, type TagData, type TasksFile, type WriteMethodName } from '@taskmaster/protocol';
import { writeOps, type OpContext } from '../src/index.js';

/** The time op tests give as `now`. */
export const NOW = '2026-02-03T04:05:06.000Z';

/** The context op tests run in: `tag`, on master as the current tag. */
export const ctxFor = (tag: string): OpContext => ({ tag, currentTag: 'master', now: NOW, conflictStrategy: 'last-write-wins' });

/**
 * Runs a write op twice, as it runs for real: on a plain copy of `data` (the
 * server's merges, tests) and inside an immer draft of a frozen copy (a store
 * transaction). Both must agree on the result, the value and the error; a
 * failed op must leave the file as it was. Returns the file after and the value.
 */
export function runOp<M extends WriteMethodName>(method: M, params: unknown, data: any, tag = 'master'): { data: any; value: any } {
  const parsed = methods[method].params.parse(params);
  const op = writeOps[method] as (d: TasksFile, p: unknown, c: OpContext) => any;
  const plain = structuredClone(data);
  let plainValue: any;
  let plainError: any;
  try {
    plainValue = op(plain, parsed, ctxFor(tag));
  } catch (err) {
    plainError = err;
  }
  let draftValue: any;
  let draftError: any;
  let after: any;
  try {
    after = produce(freeze(structuredClone(data), true), (d: TasksFile) => {
      draftValue = op(d, parsed, ctxFor(tag));
    });
  } catch (err) {
    draftError = err;
  }
  expect(draftError?.message).toBe(plainError?.message);
  if (plainError) {
    expect(plain, 'a failed op changed the file').toEqual(data);
    throw plainError;
  }
  expect(after).toEqual(plain);
  expect(draftValue).toEqual(plainValue);
  return { data: after, value: draftValue };
}

/**
 * Every dependency of a tag as "holder -> target", full ids (a plain id in a
 * subtask is a sibling): what a user means by "the dependencies".
 */
export function edges(tag: TagData): string[] {
  const out: string[] = [];
  for (const t of tag.tasks) {
    const key = idKey(t.id);
    for (const d of t.dependencies ?? []) out.push(`${key} -> ${idKey(d)}`);
    for (const s of t.subtasks ?? []) {
      for (const d of s.dependencies ?? []) out.push(`${key}.${idKey(s.id)} -> ${idKey(d).includes('.') ? idKey(d) : `${key}.${idKey(d)}`}`);
    }
  }
  return out.sort();
}

/** The dependencies of a tag that name a task or subtask that does not exist. */
export function dangling(tag: TagData): string[] {
  const exists = new Set<string>();
  for (const t of tag.tasks) {
    exists.add(idKey(t.id));
    for (const s of t.subtasks ?? []) exists.add(`${idKey(t.id)}.${idKey(s.id)}`);
  }
  return edges(tag).filter((e) => !exists.has(e.split(' -> ')[1]!));
}
