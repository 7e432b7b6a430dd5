import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TasksFile } from '@taskmaster/protocol';
import { RecentVersions } from '../src/state/recent-versions.js';
import { FIXTURE, prng } from './helpers.js';

type Tags = Record<string, { tasks: Array<Record<string, unknown>>; metadata?: unknown }>;

/** The next version as the engine makes it: copy-on-write, every unchanged object shared. */
function edit(file: Tags, tag: string, change: (tasks: Array<Record<string, unknown>>) => void): Tags {
  const tasks = [...file[tag]!.tasks];
  change(tasks);
  return { ...file, [tag]: { ...file[tag]!, tasks } };
}

describe('recent versions', () => {
  it('gives back every version of the fixture exactly, newest first, through updates, creates, deletes and tags made and removed', () => {
    let file = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Tags;
    const recent = new RecentVersions();
    const made: Array<{ file: Tags; hash: string }> = [];
    const r = prng(5);
    for (let i = 0; i < 300; i++) {
      const tags = Object.keys(file);
      const tag = tags[Math.floor(r() * tags.length)]!;
      const roll = r();
      if (roll < 0.7 && file[tag]!.tasks.length > 0) {
        file = edit(file, tag, (tasks) => {
          const at = Math.floor(r() * tasks.length);
          tasks[at] = { ...tasks[at], title: `Version ${i}` };
        });
      } else if (roll < 0.85) {
        file = edit(file, tag, (tasks) => tasks.push({ id: 10_000 + i, title: `Created ${i}`, status: 'pending' }));
      } else if (roll < 0.95 && file[tag]!.tasks.length > 0) {
        file = edit(file, tag, (tasks) => tasks.splice(Math.floor(r() * tasks.length), 1));
      } else if (i % 2 === 0) {
        file = { ...file, [`tag-${i}`]: { tasks: [{ id: 1, title: 'first', status: 'pending' }] } };
      } else if (tags.length > 1) {
        const { [tag]: _gone, ...rest } = file;
        file = rest;
      }
      const hash = `h${i}`;
      recent.add(file as unknown as TasksFile, hash, [[tag, '1']]);
      made.push({ file, hash });
    }
    const listed = recent.list();
    expect(listed.map((v) => v.hash)).toEqual(made.map((m) => m.hash).reverse());
    for (const [i, version] of listed.entries()) {
      const original = made[made.length - 1 - i]!.file;
      expect(JSON.stringify(version.data)).toBe(JSON.stringify(original));
      // Unchanged tasks are the very objects of the version, so comparing versions stays cheap.
      const tag = Object.keys(original)[0]!;
      expect((version.data as unknown as Tags)[tag]!.tasks[0]).toBe(original[tag]!.tasks[0]);
    }
  });

  it('keeps a minute of single-task updates of a 10k-task tag within a budget that holds one copy of its task list', () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, title: `Task ${i + 1}`, status: 'pending' }));
    let file: Tags = { master: { tasks } };
    // 10,000 slots: one copy of the list. Kept as copies, the versions would leave only the newest.
    const recent = new RecentVersions(60_000, 10_000);
    const at = Date.now();
    for (let i = 0; i < 500; i++) {
      file = edit(file, 'master', (list) => {
        list[(i * 37) % list.length] = { ...list[(i * 37) % list.length], status: 'done' };
      });
      recent.add(file as unknown as TasksFile, `h${i}`, [['master', String(((i * 37) % 10_000) + 1)]], { now: at + i });
    }
    const listed = recent.list(at + 500);
    expect(listed).toHaveLength(500);
    const oldest = listed[listed.length - 1]!.data as unknown as Tags;
    expect(oldest.master!.tasks.filter((t) => t.status === 'done')).toHaveLength(1);
    expect(oldest.master!.tasks[0]).toEqual({ id: 1, title: 'Task 1', status: 'done' });
  });

  it('rebuilds versions of a legacy file (tasks at the top) and drops them after their time', () => {
    let file = { tasks: [{ id: 1, title: 'one' }, { id: 2, title: 'two' }], meta: { projectName: 'p' } } as Record<string, unknown>;
    const recent = new RecentVersions(1000);
    recent.add(file as unknown as TasksFile, 'a', [], { now: 0 });
    file = { ...file, tasks: [(file.tasks as unknown[])[0], { id: 2, title: 'TWO' }] };
    recent.add(file as unknown as TasksFile, 'b', [], { now: 10 });
    file = { ...file, meta: { projectName: 'q' } };
    recent.add(file as unknown as TasksFile, 'c', [], { now: 20 });
    expect(recent.list(30).map((v) => JSON.stringify(v.data))).toEqual([
      '{"tasks":[{"id":1,"title":"one"},{"id":2,"title":"TWO"}],"meta":{"projectName":"q"}}',
      '{"tasks":[{"id":1,"title":"one"},{"id":2,"title":"TWO"}],"meta":{"projectName":"p"}}',
      '{"tasks":[{"id":1,"title":"one"},{"id":2,"title":"two"}],"meta":{"projectName":"p"}}',
    ]);
    expect(recent.list(1005).map((v) => v.hash)).toEqual(['c', 'b']);
    expect(recent.has('a')).toBe(false);
  });
});
