import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, filesIn, FIXTURE_TEXT, fixtureProject, tempProject } from './helpers.js';

afterEach(cleanup);

describe('lossless round trip of a real Task Master file', () => {
  it('reads every tag and unknown field exactly as in the file', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const { data, hash } = await store.read();
    expect(hash).toBe(createHash('sha256').update(FIXTURE_TEXT).digest('hex'));
    expect(data).toEqual(JSON.parse(FIXTURE_TEXT));
    // Key order matters to Task Master's diffs: re-serialising gives the same bytes.
    expect(JSON.stringify(data, null, 2)).toBe(FIXTURE_TEXT);
  });

  it('does not write when a transaction changes nothing', async () => {
    const project = fixtureProject();
    const before = fs.statSync(project.tasksFile);
    const store = await openStore(project.root);
    const result = await store.transact(() => 'nothing');
    expect(result.written).toBe(false);
    expect(result.changes).toEqual([]);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(FIXTURE_TEXT);
    expect(fs.statSync(project.tasksFile).ino).toBe(before.ino);
    expect(filesIn(project.historyDir)).toEqual([]);
  });

  it('gives back identical bytes after a status is changed and changed back', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const original = JSON.parse(FIXTURE_TEXT).loop.tasks[2].status;
    const first = await store.transact((d: any) => {
      d.loop.tasks[2].status = original === 'done' ? 'pending' : 'done';
    });
    expect(first.written).toBe(true);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).not.toBe(FIXTURE_TEXT);
    await store.transact((d: any) => {
      d.loop.tasks[2].status = original;
    });
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(FIXTURE_TEXT);
    const { data } = await store.read();
    for (const [tag, tagData] of Object.entries(JSON.parse(FIXTURE_TEXT))) expect((data as any)[tag]).toEqual(tagData);
  });

  it('reports the change as task events', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const { changes } = await store.transact((d: any) => {
      d.master.tasks[0].status = 'review';
    });
    const id = String(JSON.parse(FIXTURE_TEXT).master.tasks[0].id);
    expect(changes).toContainEqual(expect.objectContaining({ event: 'task.status.changed', payload: expect.objectContaining({ tag: 'master', id, to: 'review' }) }));
  });

  it('shares one frozen version with every caller: nobody can change it behind the file', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const read = await store.read();
    expect(() => {
      (read.data as any).master.tasks[0].title = 'mutated after read';
    }).toThrow(TypeError);
    const id = String(JSON.parse(FIXTURE_TEXT).master.tasks[1].id);
    const written = await store.transact((d: any) => {
      d.master.tasks[1].status = 'review';
      return d.master.tasks[1];
    });
    expect(written.changes.map((c) => c.payload.id)).toEqual([id, id]);
    expect(() => {
      (written.data as any).master.tasks[2].title = 'mutated after write';
    }).toThrow(TypeError);
    // What fn returned is a plain copy that outlives the transaction and is the caller's to change.
    expect(written.value.status).toBe('review');
    written.value.title = 'the caller owns this copy';
    // Untouched tasks are the very same objects in both versions.
    expect((written.data as any).master.tasks[2]).toBe((read.data as any).master.tasks[2]);
    expect((written.data as any).master.tasks[1]).not.toBe((read.data as any).master.tasks[1]);
    const again = await store.read();
    expect(again.data).toEqual(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')));
    const next = await store.transact((d: any) => {
      d.master.tasks[1].status = 'done';
    });
    expect(next.changes.every((c) => c.payload.id === id)).toBe(true);
    // Objects a change adds are frozen too, however deep (the store freezes objects, not lists).
    const added = await store.transact((d: any) => {
      d.master.tasks.push({ id: 9001, title: 'Added', description: '', status: 'pending', dependencies: [], subtasks: [{ id: 1, title: 'Nested', description: '', status: 'pending', dependencies: [], meta: { note: 'deep' } }] });
    });
    const task = (added.data as any).master.tasks.at(-1);
    expect(() => {
      task.subtasks[0].meta.note = 'mutated';
    }).toThrow(TypeError);
    expect(() => {
      task.title = 'mutated';
    }).toThrow(TypeError);
    expect(task.subtasks[0].meta.note).toBe('deep');
  });

  it('does not write when fields are set to the values they already have', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const result = await store.transact((d: any) => {
      d.master.tasks[0].dependencies = [...d.master.tasks[0].dependencies];
      d.master.tasks[0].title = String(d.master.tasks[0].title);
    });
    expect(result.written).toBe(false);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(FIXTURE_TEXT);
    expect(filesIn(project.historyDir)).toEqual([]);
  });

  it('writes what JSON.stringify makes of non-JSON values, and reads back that', async () => {
    const project = tempProject({ master: { tasks: [{ id: 1, title: 'one', status: 'pending' }] } });
    const store = await openStore(project.root);
    await store.transact((d: any) => {
      d.master.tasks[0].extra = { at: new Date(0), gone: undefined, nan: Number.NaN };
    });
    const { data } = await store.read();
    expect((data as any).master.tasks[0].extra).toEqual({ at: '1970-01-01T00:00:00.000Z', nan: null });
    expect(data).toEqual(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')));
    const fresh = await (await openStore(project.root)).read();
    expect(fresh.data).toEqual(data);
  });

  it('keeps a legacy untagged file in legacy form, exposed as tag master', async () => {
    const legacy = { tasks: JSON.parse(FIXTURE_TEXT).master.tasks.slice(0, 5), metadata: { projectName: 'legacy' } };
    const legacyText = JSON.stringify(legacy, null, 2);
    const project = tempProject(legacyText);
    const store = await openStore(project.root);
    const listed = await store.list({ tag: 'master' });
    expect(listed.tasks.map((t) => t.id)).toEqual(legacy.tasks.map((t: any) => t.id));

    await store.transact((d: any) => {
      d.tasks[1].status = 'blocked';
    });
    await store.transact((d: any) => {
      d.tasks[1].status = legacy.tasks[1].status;
    });
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(legacyText);

    await store.update(2, { priority: 'low' }, { tag: 'master' });
    const written = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    expect(Object.keys(written)).toEqual(['tasks', 'metadata']);
    expect(written.tasks[1].priority).toBe('low');
  });

  it('keeps a trailing newline when the file had one, and adds none when it did not', async () => {
    const withNewline = tempProject(`${FIXTURE_TEXT}\n`);
    const without = fixtureProject();
    for (const project of [withNewline, without]) {
      const store = await openStore(project.root);
      await store.setStatus([1], 'review', { tag: 'master' });
    }
    expect(fs.readFileSync(withNewline.tasksFile, 'utf8').endsWith('}\n')).toBe(true);
    expect(fs.readFileSync(without.tasksFile, 'utf8').endsWith('}')).toBe(true);
  });

  it('treats a missing tasks.json as empty and creates it on the first write', async () => {
    const project = tempProject();
    const store = await openStore(project.root);
    const { data } = await store.read();
    expect(data).toEqual({ master: expect.objectContaining({ tasks: [] }) });
    expect(fs.existsSync(project.tasksFile)).toBe(false);
    await store.create({ title: 'first' }, { tag: 'master' });
    const written = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    expect(written.master.tasks.map((t: any) => t.title)).toEqual(['first']);
  });
});
