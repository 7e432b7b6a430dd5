import fs from 'node:fs';
import { freeze } from 'immer';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { TasksFileSerializer } from '../src/serialize-tasks-file.js';
import { cleanup, FIXTURE_TEXT, fixtureProject, tempProject } from './helpers.js';

afterEach(cleanup);

const text = (data: unknown, newline = false) => [...new TasksFileSerializer().serialize(data as never, newline).pieces].join('');

describe('writing a tasks file in pieces', () => {
  it('gives exactly the text of JSON.stringify(data, null, 2), for the fixture and odd shapes', () => {
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
      expect(text(data)).toBe(JSON.stringify(data, null, 2));
      expect(text(data, true)).toBe(`${JSON.stringify(data, null, 2)}\n`);
    }
  });

  it('reuses the text of frozen tasks, so later versions still come out exact', () => {
    const serializer = new TasksFileSerializer();
    const first = freeze(JSON.parse(FIXTURE_TEXT), true);
    expect([...serializer.serialize(first, false).pieces].join('')).toBe(FIXTURE_TEXT);
    const tasks = [...first.master.tasks];
    tasks[1] = { ...tasks[1], title: 'changed' };
    const second = freeze({ ...first, master: { ...first.master, tasks } }, true);
    expect([...serializer.serialize(second, false).pieces].join('')).toBe(JSON.stringify(second, null, 2));
    // A serialisation left unfinished (a write refused half-way) and the versions around it stay exact.
    const unfinished = serializer.serialize(first, false).pieces[Symbol.iterator]();
    unfinished.next();
    expect([...serializer.serialize(second, true).pieces].join('')).toBe(`${JSON.stringify(second, null, 2)}\n`);
    expect([...serializer.serialize(first, false).pieces].join('')).toBe(FIXTURE_TEXT);
    expect([...serializer.serialize(second, false).pieces].join('')).toBe(JSON.stringify(second, null, 2));
  });

  it('says when the data holds values JSON turns into something else', () => {
    const serializer = new TasksFileSerializer();
    const plain = serializer.serialize({ master: { tasks: [{ id: 1, title: 'x' }] } }, false);
    expect([...plain.pieces].length).toBeGreaterThan(0);
    expect(plain.plain()).toBe(true);
    for (const odd of [new Date(0), Number.NaN, undefined, Number.POSITIVE_INFINITY]) {
      const data = { master: { tasks: [{ id: 1, title: 'x', odd }] } };
      const out = serializer.serialize(data as never, false);
      expect([...out.pieces].join('')).toBe(JSON.stringify(data, null, 2));
      expect(out.plain()).toBe(false);
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

  it('keeps a file without a trailing newline without one, and one with it with it', async () => {
    for (const ending of ['', '\n']) {
      const project = tempProject(`${JSON.stringify({ master: { tasks: [{ id: 1, title: 'a' }] } }, null, 2)}${ending}`);
      const store = await openStore(project.root);
      await store.update(1, { title: 'b' }, { tag: 'master' });
      expect(fs.readFileSync(project.tasksFile, 'utf8').endsWith(`}${ending}`)).toBe(true);
    }
  });
});
