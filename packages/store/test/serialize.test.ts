import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { freeze } from 'immer';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import type { EncodedFile } from '../src/encoded-file.js';
import { TASK_BYTES_IDLE_MS, TasksFileSerializer } from '../src/serialize-tasks-file.js';
import { HASH_OFF_THREAD_FROM } from '../src/hash-off-thread.js';
import { cleanup, FIXTURE_TEXT, fixtureProject, startChild, tempProject } from './helpers.js';

/** A tasks file just over the size hashed off the event loop: 400 tasks with 12 KB of details each. */
const largeTasksFile = () =>
  JSON.stringify({ master: { tasks: Array.from({ length: 400 }, (_, i) => ({ id: i + 1, title: `Task ${i + 1}`, status: 'pending', dependencies: [], details: `${i} `.repeat(4000).slice(0, 12_000) })) } }, null, 2);

afterEach(cleanup);

/** The segments of an encoding made without a file in place, so all in memory. */
const buffersOf = (encoded: EncodedFile) => encoded.segments.map((s) => (Buffer.isBuffer(s) ? s : expect.unreachable('a range without a file in place')));
const textOf = (encoded: EncodedFile) => Buffer.concat(buffersOf(encoded)).toString('utf8');
const text = async (data: unknown, newline = false) => textOf(await new TasksFileSerializer().encode(data as never, { trailingNewline: newline }));
/** Bytes held by the buffers the segments are views of: what the bytes kept for the next write cost. */
const heldBytes = (encoded: EncodedFile) => [...new Set(buffersOf(encoded).map((s) => s.buffer))].reduce((sum, b) => sum + b.byteLength, 0);

describe('writing a tasks file in segments', () => {
  it('gives exactly the bytes of JSON.stringify(data, null, 2), and their sha256, for the fixture and odd shapes', async () => {
    const shapes: unknown[] = [
      JSON.parse(FIXTURE_TEXT),
      { tasks: [{ id: 1, title: 'legacy', subtasks: [] }], metadata: {} },
      { tasks: [] },
      {},
      { master: { tasks: [] }, 'a "quoted" tag': { tasks: [{ id: 1, title: 'ünïcödé ✓ 𝄞', empty: {}, list: [] }], metadata: { n: 1 } } },
      JSON.parse('{"__proto__": {"tasks": [{"id": 1, "title": "x"}]}, "master": {"tasks": [null, 3, "s"], "extra": [1, {"a": []}]}}'),
      { master: { tasks: 'not an array' }, other: 5 },
    ];
    for (const data of shapes) {
      expect(await text(data)).toBe(JSON.stringify(data, null, 2));
      expect(await text(data, true)).toBe(`${JSON.stringify(data, null, 2)}\n`);
      const encoded = await new TasksFileSerializer().encode(data as never, { trailingNewline: false });
      expect(encoded.hash).toBe(createHash('sha256').update(JSON.stringify(data, null, 2)).digest('hex'));
      expect(encoded.total).toBe(Buffer.byteLength(JSON.stringify(data, null, 2)));
    }
  });

  it('writes unchanged tasks from the bytes of the last write, so later versions still come out exact', async () => {
    const serializer = new TasksFileSerializer();
    const first = freeze(JSON.parse(FIXTURE_TEXT), true);
    const firstBytes = await serializer.encode(first, { trailingNewline: false });
    expect(textOf(firstBytes)).toBe(FIXTURE_TEXT);
    const tasks = [...first.master.tasks];
    tasks[1] = { ...tasks[1], title: 'changed' };
    const second = freeze({ ...first, master: { ...first.master, tasks } }, true);
    const secondBytes = await serializer.encode(second, { trailingNewline: false });
    expect(textOf(secondBytes)).toBe(JSON.stringify(second, null, 2));
    // The other tasks' bytes are the very bytes written before, not a copy.
    const before = new Set(buffersOf(firstBytes).map((s) => s.buffer));
    expect(buffersOf(secondBytes).some((s) => before.has(s.buffer))).toBe(true);
    // An encoding refused as too large keeps nothing, and the versions around it stay exact.
    const refused = await serializer.encode(first, { trailingNewline: false, maxBytes: 1000 });
    expect(refused).toMatchObject({ overLimit: true, hash: undefined, segments: [], total: Buffer.byteLength(FIXTURE_TEXT) });
    expect(textOf(await serializer.encode(second, { trailingNewline: true }))).toBe(`${JSON.stringify(second, null, 2)}\n`);
    expect(textOf(await serializer.encode(first, { trailingNewline: false }))).toBe(FIXTURE_TEXT);
    expect(textOf(await serializer.encode(second, { trailingNewline: false }))).toBe(JSON.stringify(second, null, 2));
  });

  it(`lets the kept bytes go once no write came for ${TASK_BYTES_IDLE_MS} ms: the next write encodes every task again, exactly`, async () => {
    const serializer = new TasksFileSerializer();
    const withTitle = (data: ReturnType<typeof JSON.parse>, title: string) => {
      const tasks = [...data.master.tasks];
      tasks[1] = { ...tasks[1], title };
      return freeze({ ...data, master: { ...data.master, tasks } }, true);
    };
    const first = freeze(JSON.parse(FIXTURE_TEXT), true);
    const firstBytes = await serializer.encode(first, { trailingNewline: false });
    // Writes in a burst share the bytes of the tasks they did not change.
    const second = withTitle(first, 'second');
    const secondBytes = await serializer.encode(second, { trailingNewline: false });
    const firstBuffers = new Set(buffersOf(firstBytes).map((s) => s.buffer));
    expect(buffersOf(secondBytes).some((s) => firstBuffers.has(s.buffer))).toBe(true);
    // After a pause nothing is shared with the earlier writes: their bytes were let go.
    await new Promise((resolve) => setTimeout(resolve, TASK_BYTES_IDLE_MS + 300));
    const third = withTitle(second, 'third');
    const thirdBytes = await serializer.encode(third, { trailingNewline: false });
    const earlier = new Set([...buffersOf(firstBytes), ...buffersOf(secondBytes)].map((s) => s.buffer));
    expect(buffersOf(thirdBytes).some((s) => earlier.has(s.buffer))).toBe(false);
    expect(textOf(thirdBytes)).toBe(JSON.stringify(third, null, 2));
    // And the next write in the new burst shares again.
    const fourthBytes = await serializer.encode(withTitle(third, 'fourth'), { trailingNewline: false });
    const thirdBuffers = new Set(buffersOf(thirdBytes).map((s) => s.buffer));
    expect(buffersOf(fourthBytes).some((s) => thirdBuffers.has(s.buffer))).toBe(true);
  });

  it('keeps the segments few and the bytes it holds near the file size over 500 edits, every one exact', async () => {
    const serializer = new TasksFileSerializer();
    let data = freeze(JSON.parse(FIXTURE_TEXT), true);
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let most = { segments: 0, held: 0 };
    for (let edit = 0; edit < 500; edit++) {
      // Any task of any tag, alike: over 500 edits nearly every task gets bytes of its own.
      const places = Object.keys(data).flatMap((t) => data[t].tasks.map((_: unknown, i: number) => [t, i] as const));
      const [tag, i] = places[random(places.length)]!;
      const tasks = [...data[tag].tasks];
      // Mostly updates; now and then the first task goes to the end, so the list's first separator changes hands.
      if (edit % 50 === 49) tasks.push(tasks.shift());
      else tasks[i] = { ...tasks[i], title: `edit ${edit} ✓` };
      data = freeze({ ...data, [tag]: { ...data[tag], tasks } }, true);
      const encoded = await serializer.encode(data, { trailingNewline: false, expectedBytes: Buffer.byteLength(FIXTURE_TEXT) });
      expect(textOf(encoded)).toBe(JSON.stringify(data, null, 2));
      most = { segments: Math.max(most.segments, encoded.segments.length), held: Math.max(most.held, heldBytes(encoded)) };
    }
    // Each edit adds a buffer of new bytes; without copying the kept bytes together now and then,
    // these edits held 4.7 MB for this 1.5 MB file (2.6 MB with).
    expect(most.segments).toBeLessThanOrEqual(2048 + 40);
    expect(most.held).toBeLessThan(2 * Buffer.byteLength(FIXTURE_TEXT));
  });

  it('lets a file hashed off the event loop run to more segments, its versions exact and the bytes it holds bounded', async () => {
    // 6,000 tasks of about 1 KB: over 4 MB, so its hash is not taken segment by segment.
    const text = JSON.stringify({ master: { tasks: Array.from({ length: 6000 }, (_, i) => ({ id: i + 1, title: `Task ${i + 1}`, status: 'pending', dependencies: [], details: `${i} `.repeat(300).slice(0, 900) })) } }, null, 2);
    const total = Buffer.byteLength(text);
    expect(total).toBeGreaterThanOrEqual(HASH_OFF_THREAD_FROM);
    const serializer = new TasksFileSerializer();
    let data = freeze(JSON.parse(text), true);
    await serializer.encode(data, { trailingNewline: false, expectedBytes: total });
    let most = { segments: 0, held: 0 };
    for (let round = 0; round < 40; round++) {
      // 60 tasks a write, spread over the file: each splits a run of kept bytes in two.
      const tasks = [...data.master.tasks];
      for (let k = 0; k < 60; k++) {
        const i = (round * 7919 + k * 997) % tasks.length;
        tasks[i] = { ...tasks[i], title: `round ${round} ✓` };
      }
      data = freeze({ master: { ...data.master, tasks } }, true);
      const encoded = await serializer.encode(data, { trailingNewline: false, expectedBytes: total });
      expect(encoded.hash).toBeUndefined();
      // Every eighth version and the last (a 6 MB comparison each): the other tests check every version of smaller files.
      if (round % 8 === 7 || round === 39) expect(textOf(encoded)).toBe(JSON.stringify(data, null, 2));
      most = { segments: Math.max(most.segments, encoded.segments.length), held: Math.max(most.held, heldBytes(encoded)) };
    }
    // Past 2,048 segments a small file's bytes are copied together; this one's only when they pin too much.
    expect(most.segments).toBeGreaterThan(2048);
    expect(most.segments).toBeLessThanOrEqual(16 * 2048 + 40);
    // A quarter over the file and two chunks of new bytes, checked after each write: under 1.7 times the file.
    expect(most.held).toBeLessThan(1.7 * total);
  });

  it('copies a large file\'s bytes together sooner under many one-task writes, whose segments pile up slowly', async () => {
    const text = JSON.stringify({ master: { tasks: Array.from({ length: 6000 }, (_, i) => ({ id: i + 1, title: `Task ${i + 1}`, status: 'pending', details: `${i} `.repeat(300).slice(0, 900) })) } }, null, 2);
    const total = Buffer.byteLength(text);
    const serializer = new TasksFileSerializer();
    let data = freeze(JSON.parse(text), true);
    await serializer.encode(data, { trailingNewline: false, expectedBytes: total });
    let most = 0;
    for (let edit = 0; edit < 600; edit++) {
      const tasks = [...data.master.tasks];
      const i = (edit * 997) % tasks.length;
      tasks[i] = { ...tasks[i], title: `edit ${edit}` };
      data = freeze({ master: { ...data.master, tasks } }, true);
      const encoded = await serializer.encode(data, { trailingNewline: false, expectedBytes: total });
      most = Math.max(most, encoded.segments.length);
      if (edit === 599) expect(textOf(encoded)).toBe(JSON.stringify(data, null, 2));
    }
    // Each write has two segments more than the last (1,200 by the end): once they have cost about what
    // copying 6 MB does, the bytes are copied together, and the count starts again.
    expect(most).toBeLessThan(1000);
  });

  it('stays exact after an encoding that failed half-way through copying the kept bytes together', async () => {
    const serializer = new TasksFileSerializer();
    const total = Buffer.byteLength(FIXTURE_TEXT);
    const editTasks = (data: any, edit: (task: any, n: number) => any) => {
      let n = 0;
      return freeze(Object.fromEntries(Object.entries(data).map(([tag, value]: [string, any]) => [tag, { ...value, tasks: value.tasks.map((t: any) => edit(t, n++)) }])), true);
    };
    const first = freeze(JSON.parse(FIXTURE_TEXT), true);
    await serializer.encode(first, { trailingNewline: false, expectedBytes: total });
    // Three tasks in four get new bytes: the kept bytes now pin buffers of over 1.5 times the file,
    // so the next encoding copies them together, task by task as it goes.
    const second = editTasks(first, (t, n) => (n % 4 === 3 ? t : { ...t, title: `${t.title} ✓` }));
    expect(heldBytes(await serializer.encode(second, { trailingNewline: false, expectedBytes: total }))).toBeGreaterThan(1.5 * total);
    // That encoding fails at the last task (JSON has no BigInt), after copying the others' bytes.
    const count = Object.values(second).reduce((sum: number, tag: any) => sum + tag.tasks.length, 0);
    const broken = editTasks(second, (t, n) => (n === count - 1 ? { ...t, estimate: 10n } : t));
    await expect(serializer.encode(broken, { trailingNewline: false, expectedBytes: total })).rejects.toThrow(/BigInt/);
    // The kept bytes point at those copies now: they must hold the tasks' text.
    const third = editTasks(second, (t, n) => (n === 0 ? { ...t, title: 'after the failure' } : t));
    expect(textOf(await serializer.encode(third, { trailingNewline: false, expectedBytes: total }))).toBe(JSON.stringify(third, null, 2));
  });

  it('says when the data holds values JSON turns into something else', async () => {
    const serializer = new TasksFileSerializer();
    const plain = await serializer.encode({ master: { tasks: [{ id: 1, title: 'x' }] } }, { trailingNewline: false });
    expect(plain.total).toBeGreaterThan(0);
    expect(plain.plain).toBe(true);
    for (const odd of [new Date(0), Number.NaN, undefined, Number.POSITIVE_INFINITY]) {
      const data = { master: { tasks: [{ id: 1, title: 'x', odd }] } };
      const out = await serializer.encode(data as never, { trailingNewline: false });
      expect(textOf(out)).toBe(JSON.stringify(data, null, 2));
      expect(out.plain).toBe(false);
    }
  });
});

describe('the store writes exact text after many copy-on-write edits', () => {
  for (const cacheBytes of [undefined, 1024]) {
  it(`matches JSON.stringify of the data after each of 60 mixed edits of the fixture${cacheBytes ? ', with only part of the task texts kept (a file over the cache budget)' : ''}`, async () => {
    const project = fixtureProject();
    const store = await openStore(project.root, { cacheBytes });
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 60; round++) {
      const current = (await store.read()).data as any;
      const tags = Object.keys(current).filter((t) => current[t].tasks.length > 0);
      const tag = tags[random(tags.length)]!;
      const kind = round % 5;
      const result = await store.transact((d: any) => {
        const tasks = d[tag].tasks;
        const i = random(tasks.length);
        if (kind === 0) tasks[i].title = `edited ${round} ✓`;
        else if (kind === 1) (tasks[i].subtasks ??= []).push({ id: 1000 + round, title: `sub ${round}`, status: 'pending', dependencies: [] });
        else if (kind === 2) tasks.splice(i, 1);
        else if (kind === 3) tasks.push({ id: 5000 + round, title: `new ${round}`, details: 'x'.repeat(100_000 + round) });
        else d[tag].metadata = { ...d[tag].metadata, updated: `round ${round}` };
      });
      expect(result.written).toBe(true);
      const onDisk = fs.readFileSync(project.tasksFile, 'utf8');
      expect(onDisk).toBe(JSON.stringify(result.data, null, 2) + (FIXTURE_TEXT.endsWith('\n') ? '\n' : ''));
      expect(result.hash).toBe((await (await openStore(project.root)).read()).hash);
    }
  });
  }

  it('hashes a file of 4 MB or more from what it wrote, off the event loop: the hash is the file\'s, write after write', async () => {
    const project = tempProject(largeTasksFile());
    const store = await openStore(project.root);
    for (let round = 0; round < 3; round++) {
      const result = await store.update(round + 1, { title: `large ${round} ✓` }, { tag: 'master' });
      const onDisk = fs.readFileSync(project.tasksFile);
      expect(onDisk.length).toBeGreaterThanOrEqual(HASH_OFF_THREAD_FROM);
      expect(result.hash).toBe(createHash('sha256').update(onDisk).digest('hex'));
      expect(JSON.parse(onDisk.toString('utf8')).master.tasks[round].title).toBe(`large ${round} ✓`);
    }
  });

  it('lets a one-shot process write a large file and exit: the hashing thread neither ends it early nor keeps it alive', async () => {
    const project = tempProject(largeTasksFile());
    const child = startChild('store-call.mjs', [project.root, 'update']);
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(child.lines.map((l) => JSON.parse(l))).toEqual([{ ok: true }]);
    expect(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')).master.tasks[0].title).toBe('changed by another user');
  });

  it('keeps a file without a trailing newline without one, and one with it with it', async () => {
    for (const ending of ['', '\n']) {
      const project = tempProject(`${JSON.stringify({ master: { tasks: [{ id: 1, title: 'a' }] } }, null, 2)}${ending}`);
      const store = await openStore(project.root);
      await store.update(1, { title: 'b' }, { tag: 'master' });
      expect(fs.readFileSync(project.tasksFile, 'utf8').endsWith(`}${ending}`)).toBe(true);
    }
  });
});
