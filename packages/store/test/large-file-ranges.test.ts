import fs from 'node:fs';
import path from 'node:path';
import { freeze } from 'immer';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { PendingWrite } from '../src/durable-write.js';
import type { EncodedFile } from '../src/encoded-file.js';
import { identityOf } from '../src/file-identity.js';
import { SourceChangedError } from '../src/file-source.js';
import { HASH_OFF_THREAD_FROM } from '../src/hash-off-thread.js';
import { TasksFileSerializer, type EncodedTasksFile } from '../src/serialize-tasks-file.js';
import { sha256 } from '../src/tasks-file.js';
import { cleanup, tempProject } from './helpers.js';

afterEach(cleanup);

/** 400 tasks of 12 KB: just over the size from which a file's unchanged tasks are copied from the file in place. */
const largeData = () =>
  freeze({ master: { tasks: Array.from({ length: 400 }, (_, i) => ({ id: i + 1, title: `Task ${i + 1}`, status: 'pending', dependencies: [], details: `${i} `.repeat(4000).slice(0, 12_000) })) } }, true);

type Data = ReturnType<typeof largeData>;
/** A clock step no identity taken in a test is older than. */
const COARSE = 3_600_000_000_000n;
const withTitle = (data: Data, index: number, title: string): Data => {
  const tasks = [...data.master.tasks];
  tasks[index] = { ...tasks[index]!, title };
  return freeze({ master: { tasks } }, true);
};
const bytesInMemory = (encoded: EncodedFile) => encoded.segments.reduce((sum, s) => sum + (Buffer.isBuffer(s) ? s.length : 0), 0);

/** Encodes `data`, writes it to `file` as the store would (temp file, rename), and tells the serializer it is in place. */
async function writeInPlace(serializer: TasksFileSerializer, data: Data, file: string, granularityNs = 0n): Promise<{ encoded: EncodedTasksFile; bytes: Buffer; hash: string }> {
  const encoded = await serializer.encode(data, { trailingNewline: true, expectedBytes: fs.existsSync(file) ? fs.statSync(file).size : 0 });
  const pending = await PendingWrite.start(file, encoded);
  await pending.commit();
  serializer.placed(encoded.placement, file, identityOf(fs.statSync(file, { bigint: true }), granularityNs), pending.hash);
  return { encoded, bytes: fs.readFileSync(file), hash: pending.hash };
}

describe('a large file copies its unchanged tasks from the file in place', () => {
  it('holds only the changed task in memory, and writes exactly JSON.stringify of each version', async () => {
    const file = path.join(tempProject().root, 'large.json');
    const serializer = new TasksFileSerializer();
    let data = largeData();
    // A new file's size is known once written: its tasks are placed from the next write on.
    const first = await writeInPlace(serializer, data, file);
    expect(first.bytes.length).toBeGreaterThanOrEqual(HASH_OFF_THREAD_FROM);
    expect(first.encoded.placement).toBeUndefined();
    expect((await writeInPlace(serializer, data, file)).encoded.placement).toBeDefined();
    for (const [round, index] of [0, 399, 200, 200, 1].entries()) {
      data = withTitle(data, index, `changed ${round} ✓`);
      // Odd rounds on a (pretend) coarse clock, whose young identities cannot vouch: the source is hashed after the copy.
      const { encoded, bytes, hash } = await writeInPlace(serializer, data, file, round % 2 === 0 ? 0n : COARSE);
      expect(encoded.source?.expectHash !== undefined).toBe(round > 0 && round % 2 === 0);
      expect(bytes.toString('utf8')).toBe(`${JSON.stringify(data, null, 2)}\n`);
      // Only the changed task and the structure around the tasks were encoded; the rest came from the file.
      expect(bytesInMemory(encoded)).toBeLessThan(64 * 1024);
      expect(encoded.hash).toBeUndefined();
      expect(sha256(bytes)).toBe(sha256(Buffer.from(`${JSON.stringify(data, null, 2)}\n`)));
      // Hashed by the file thread as it wrote them: what the watcher and the next write go by.
      expect(hash).toBe(sha256(bytes));
    }
  });

  it('copies a task that became first, or stopped being first, without its old separator: the bytes stay exact', async () => {
    const file = path.join(tempProject().root, 'large.json');
    const serializer = new TasksFileSerializer();
    let data = largeData();
    await writeInPlace(serializer, data, file);
    await writeInPlace(serializer, data, file);
    const reorder = (make: (tasks: Data['master']['tasks']) => Data['master']['tasks']) => (data = freeze({ master: { tasks: make([...data.master.tasks]) } }, true));
    const steps = [
      // The first task goes: the second, written after `,`, now follows `[`.
      () => reorder((tasks) => tasks.slice(1)),
      // The last task moves to the front, and the one that was first now follows `,`.
      () => reorder((tasks) => [tasks[tasks.length - 1]!, ...tasks.slice(0, -1)]),
      // Back the other way.
      () => reorder((tasks) => [...tasks.slice(1), tasks[0]!]),
    ];
    for (const step of steps) {
      step();
      const { encoded, bytes } = await writeInPlace(serializer, data, file);
      expect(bytes.toString('utf8')).toBe(`${JSON.stringify(data, null, 2)}\n`);
      // Copied, not encoded: a lead of a few bytes is all the moved tasks needed in memory.
      expect(bytesInMemory(encoded)).toBeLessThan(1024);
    }
  });

  it('finds every unchanged task whatever changed around it, and copies it: inserts, removals, moves, a reversed list', async () => {
    const file = path.join(tempProject().root, 'large.json');
    const serializer = new TasksFileSerializer();
    type Tasks = Data['master']['tasks'];
    const whole = largeData().master.tasks;
    // Two tags, so that a task can also move from one to the other.
    let data = freeze({ master: { tasks: whole.slice(0, 300) }, other: { tasks: whole.slice(300) } }, true);
    await writeInPlace(serializer, data as unknown as Data, file);
    await writeInPlace(serializer, data as unknown as Data, file);
    const small = (id: number) => ({ id, title: `New ${id}`, status: 'pending', dependencies: [], details: 'short' });
    const change = (master: (tasks: Tasks) => Tasks, other: (tasks: Tasks) => Tasks = (tasks) => tasks) =>
      (data = freeze({ master: { tasks: master([...data.master.tasks]) }, other: { tasks: other([...data.other.tasks]) } }, true));
    const taskBytes = Buffer.byteLength(JSON.stringify(whole[0], null, 2));
    const steps: Array<[string, () => void, number]> = [
      ['a new task inserted in the middle', () => change((t) => [...t.slice(0, 150), small(1001), ...t.slice(150)]), 1024],
      ['a task removed in the middle', () => change((t) => [...t.slice(0, 40), ...t.slice(41)]), 1024],
      ['a new task at the end', () => change((t) => [...t, small(1002)]), 1024],
      ['the last task replaced by a new one', () => change((t) => [...t.slice(0, -1), small(1003)]), 1024],
      ['two neighbours swapped', () => change((t) => [...t.slice(0, 10), t[11]!, t[10]!, ...t.slice(12)]), 1024],
      ['a task moved to the end', () => change((t) => [...t.slice(0, 5), ...t.slice(6), t[5]!]), 1024],
      ['the list reversed', () => change((t) => t.reverse()), 1024],
      // Each list is matched against its own placement: a task moved to another tag is encoded again.
      ['a task moved to the other tag', () => change((t) => t.slice(1), (o) => [data.master.tasks[0]!, ...o]), taskBytes + 1024],
    ];
    for (const [what, step, inMemory] of steps) {
      step();
      const { encoded, bytes } = await writeInPlace(serializer, data as unknown as Data, file);
      expect(bytes.toString('utf8'), what).toBe(`${JSON.stringify(data, null, 2)}\n`);
      expect(bytesInMemory(encoded), what).toBeLessThan(inMemory);
    }
  });

  it('encodes from memory again once the file in place was changed by someone else, even to the same size', async () => {
    const file = path.join(tempProject().root, 'large.json');
    const serializer = new TasksFileSerializer();
    await writeInPlace(serializer, largeData(), file);
    await writeInPlace(serializer, largeData(), file);
    // An editor rewrites the file in place: same size, one task's title changed ("Task 7" -> "Task X").
    const edited = fs.readFileSync(file, 'utf8').replace('"Task 7"', '"Task X"');
    fs.writeFileSync(file, edited);
    const next = withTitle(largeData(), 0, 'ours');
    const encoded = await serializer.encode(next, { trailingNewline: true, expectedBytes: edited.length });
    expect(encoded.source).toBeUndefined();
    expect(encoded.segments.every((s) => Buffer.isBuffer(s))).toBe(true);
    expect(Buffer.concat(encoded.segments as Buffer[]).toString('utf8')).toBe(`${JSON.stringify(next, null, 2)}\n`);
  });

  it('refuses a write whose source changed while its ranges were being copied, and the store writes it again from memory', async () => {
    for (const granularity of [0n, COARSE]) {
      const file = path.join(tempProject().root, 'large.json');
      const serializer = new TasksFileSerializer();
      await writeInPlace(serializer, largeData(), file, granularity);
      await writeInPlace(serializer, largeData(), file, granularity);
      const next = withTitle(largeData(), 3, 'ours');
      const encoded = await serializer.encode(next, { trailingNewline: true, expectedBytes: fs.statSync(file).size });
      expect(encoded.source).toBeDefined();
      // Changed in place after the ranges were planned, before they are copied: a mix must never be written.
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"Task 9"', '"Task Y"'));
      await expect(PendingWrite.start(file, encoded)).rejects.toBeInstanceOf(SourceChangedError);
      // The temp file went with it.
      expect(fs.readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    }

    // Through the store: an outside in-place edit between two updates is read back and kept, and every version is exact.
    const project = tempProject(`${JSON.stringify(largeData(), null, 2)}\n`);
    const store = await openStore(project.root);
    await store.update(1, { title: 'first' }, { tag: 'master' });
    fs.writeFileSync(project.tasksFile, fs.readFileSync(project.tasksFile, 'utf8').replace('"Task 9"', '"Task Z"'));
    const result = await store.update(2, { title: 'second' }, { tag: 'master' });
    const onDisk = fs.readFileSync(project.tasksFile);
    const tasks = JSON.parse(onDisk.toString('utf8')).master.tasks;
    expect(tasks.slice(0, 9).map((t: { title: string }) => t.title)).toEqual(['first', 'second', 'Task 3', 'Task 4', 'Task 5', 'Task 6', 'Task 7', 'Task 8', 'Task Z']);
    expect(result.hash).toBe(sha256(onDisk));
    expect(onDisk.toString('utf8')).toBe(`${JSON.stringify(JSON.parse(onDisk.toString('utf8')), null, 2)}\n`);
  });
});
