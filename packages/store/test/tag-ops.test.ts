import fs from 'node:fs';
import path from 'node:path';
import { freeze, produce } from 'immer';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, validateTasksFile, type TasksFile, type WriteMethodName } from '@taskmaster/protocol';
import { callDirect, initProject, openStore, writeOps, type OpContext } from '../src/index.js';
import { cleanup, FIXTURE_TEXT, fixtureProject, rejectionOf, tempProject } from './helpers.js';

afterEach(cleanup);

/*
 * What Task Master 0.43.1 does was observed by running its CLI (`add-tag`,
 * `delete-tag --yes`, `rename-tag`, `copy-tag`; `tm tags …` calls the same
 * code) on a file like `smallFile` below. Where we differ, the test says so.
 */

// Midday UTC: the same local date in every time zone, for Task Master's `toLocaleDateString()` descriptions.
const NOW = '2025-06-14T12:00:00.000Z';
const OLD = '2025-01-01T00:00:00.000Z';
const LOCAL_DATE = new Date(NOW).toLocaleDateString();

const ctx = (over: Partial<OpContext> = {}): OpContext => ({ tag: 'master', currentTag: 'master', now: NOW, conflictStrategy: 'last-write-wins', ...over });

function smallFile(): any {
  const task = (id: number, title: string, extra: object = {}) => ({
    id, title, description: '', status: 'pending', dependencies: [], priority: 'medium', details: '', testStrategy: '', subtasks: [], ...extra,
  });
  return {
    master: {
      tasks: [
        task(1, 'one', { status: 'done' }),
        task(2, 'two', { subtasks: [{ id: 1, title: 'two-a', description: '', status: 'pending', dependencies: [] }] }),
      ],
      metadata: { created: OLD, updated: OLD, description: 'Main tag' },
    },
    feature: { tasks: [task(1, 'f1', { status: 'done' }), task(2, 'f2')], metadata: { created: OLD, updated: OLD, description: 'Feature work' } },
    bare: { tasks: [] },
    last: { tasks: [], metadata: { created: OLD, updated: OLD, description: 'Last' } },
  };
}

/** Runs a write op as a server does: inside an immer draft of frozen data. Returns the new data and the op's value. */
function inDraft<M extends WriteMethodName>(data: TasksFile, method: M, params: unknown, context = ctx()) {
  let value: unknown;
  const after = produce(freeze(data, true), (d) => {
    value = (writeOps[method] as (d: TasksFile, p: unknown, c: OpContext) => unknown)(d as TasksFile, params, context);
  });
  return { after: after as any, value: value as any };
}

/** Runs a write op on plain data, which it changes in place. */
function plain<M extends WriteMethodName>(data: any, method: M, params: unknown, context = ctx()): any {
  return (writeOps[method] as (d: TasksFile, p: unknown, c: OpContext) => unknown)(data, params, context);
}

/** The op's error, checking it left the data as it was (all or nothing). */
function refusal<M extends WriteMethodName>(data: any, method: M, params: unknown, context?: OpContext): { code: number; message: string; data?: any } {
  const before = JSON.stringify(data);
  try {
    plain(data, method, params, context);
  } catch (err) {
    expect(JSON.stringify(data), `${method} changed the data before refusing`).toBe(before);
    return err as { code: number; message: string };
  }
  throw new Error(`${method} ${JSON.stringify(params)} was not refused`);
}

describe('tag.add', () => {
  it('adds an empty tag last in the file, with Task Master\'s metadata, and leaves the others as they were', () => {
    const base = smallFile();
    const { after, value } = inDraft(base, 'tag.add', { name: 'sprint-2' });
    expect(Object.keys(after)).toEqual(['master', 'feature', 'bare', 'last', 'sprint-2']);
    expect(after['sprint-2']).toEqual({ tasks: [], metadata: { created: NOW, updated: NOW, description: `Tag created on ${LOCAL_DATE}` } });
    expect(Object.keys(after['sprint-2'].metadata)).toEqual(['created', 'updated', 'description']);
    expect(value).toEqual({ tag: { name: 'sprint-2', taskCount: 0, completedCount: 0, description: `Tag created on ${LOCAL_DATE}` } });
    // Task Master also gives `bare` a metadata block (and every tag's ids become numbers): ours touches no other tag.
    for (const tag of ['master', 'feature', 'bare', 'last']) expect(after[tag]).toBe(base[tag]);
  });

  it('copies the tasks of copyFrom (a deep copy) and takes the description given', () => {
    const data = smallFile();
    const value = plain(data, 'tag.add', { name: 'feat_b', copyFrom: 'feature', description: 'next sprint' });
    expect(value.tag).toEqual({ name: 'feat_b', taskCount: 2, completedCount: 1, description: 'next sprint' });
    expect(data.feat_b.tasks).toEqual(data.feature.tasks);
    data.feat_b.tasks[0].title = 'changed';
    expect(data.feature.tasks[0].title).toBe('f1');
    expect(data.feat_b.metadata).toEqual({ created: NOW, updated: NOW, description: 'next sprint' });
  });

  it('uses the default description for an empty one, as Task Master does', () => {
    const data = smallFile();
    plain(data, 'tag.add', { name: 'x', description: '' });
    expect(data.x.metadata.description).toBe(`Tag created on ${LOCAL_DATE}`);
  });

  it('refuses the names Task Master refuses, and a copyFrom that does not exist, changing nothing', () => {
    for (const name of ['master', 'Main', 'DEFAULT']) {
      const err = refusal(smallFile(), 'tag.add', { name });
      expect(err).toMatchObject({ code: ErrorCode.InvalidParams, data: { tag: name } });
      expect(err.message).toContain(`"${name}" is a reserved tag name`);
    }
    for (const name of ['bad.name', 'has space', 'ünïcode', 'a/b']) {
      expect(refusal(smallFile(), 'tag.add', { name }).message).toBe(`name: tag name "${name}" can only contain letters, numbers, hyphens and underscores`);
    }
    expect(refusal(smallFile(), 'tag.add', { name: '__proto__' }).code).toBe(ErrorCode.InvalidParams);
    // Task Master accepts these, then misreads the file (`tasks`: its add-subtask fails with "tasks.find is not
    // a function" on every tag) or silently drops the tag on its write (`tag`: add-tag says it succeeded).
    for (const name of ['tasks', 'tag', '_rawTaggedData', 'metadata']) {
      expect(refusal(smallFile(), 'tag.add', { name }).message).toMatch(new RegExp(`^name: a tag cannot be named "${name}": Task Master`));
      expect(refusal(smallFile(), 'tag.copy', { from: 'feature', to: name }).code).toBe(ErrorCode.InvalidParams);
    }
    expect(refusal(smallFile(), 'tag.add', { name: 'feature' })).toMatchObject({
      code: ErrorCode.InvalidParams,
      message: 'name: tag "feature" already exists; choose another name',
    });
    // Task Master warns and makes an empty tag: a typo in copyFrom would silently give an empty tag.
    const missing = refusal(smallFile(), 'tag.add', { name: 'y', copyFrom: 'nosuch' });
    expect(missing).toMatchObject({ code: ErrorCode.NotFound, data: { tag: 'nosuch', tags: ['master', 'feature', 'bare', 'last'] } });
  });

  it('turns a legacy untagged file into the tagged format first, as Task Master does', () => {
    const legacy = { tasks: smallFile().master.tasks, metadata: { projectName: 'p', totalTasks: 2 }, extra: 'kept' };
    const { after, value } = inDraft(legacy as TasksFile, 'tag.add', { name: 'newtag', copyFrom: 'master' });
    expect(Object.keys(after)).toEqual(['master', 'newtag']);
    // Task Master completes master's metadata (created, a description) and drops other top-level fields; ours keeps them.
    expect(after.master).toEqual({
      tasks: legacy.tasks,
      metadata: { projectName: 'p', totalTasks: 2, created: NOW, description: 'Tasks for master context' },
      extra: 'kept',
    });
    expect(after.newtag.tasks).toEqual(legacy.tasks);
    expect(value.tag).toMatchObject({ name: 'newtag', taskCount: 2, completedCount: 1 });
    expect(() => validateTasksFile(after)).not.toThrow();

    const noMetadata = { tasks: [] };
    plain(noMetadata, 'tag.add', { name: 'b' });
    expect(noMetadata).toEqual({
      master: { tasks: [], metadata: { created: NOW, updated: NOW, description: 'Tasks for master context' } },
      b: { tasks: [], metadata: { created: NOW, updated: NOW, description: `Tag created on ${LOCAL_DATE}` } },
    });
  });
});

describe('tag.delete', () => {
  it('removes the tag and its tasks, reporting how many', () => {
    const base = smallFile();
    const { after, value } = inDraft(base, 'tag.delete', { name: 'feature' });
    expect(value).toEqual({ deleted: 'feature', taskCount: 2 });
    expect(Object.keys(after)).toEqual(['master', 'bare', 'last']);
    for (const tag of ['master', 'bare', 'last']) expect(after[tag]).toBe(base[tag]);
  });

  it('refuses to delete the current tag, asking to switch first', () => {
    // Deliberate: Task Master switches state.json to master; here a delete never moves a user's
    // context, and a current tag that no longer exists breaks every later command.
    const data = smallFile();
    const before = JSON.stringify(data);
    const err = refusal(data, 'tag.delete', { name: 'feature' }, ctx({ currentTag: 'feature', tag: 'feature' }));
    expect(err).toMatchObject({ code: ErrorCode.InvalidParams, message: 'tag "feature" is the current tag and cannot be deleted; switch to another first (taskmaster use-tag master)' });
    expect(JSON.stringify(data)).toBe(before);
  });

  it('refuses master and names a tag that does not exist', () => {
    expect(refusal(smallFile(), 'tag.delete', { name: 'master' })).toMatchObject({ code: ErrorCode.InvalidParams, message: 'the master tag cannot be deleted' });
    expect(refusal({ tasks: [] }, 'tag.delete', { name: 'master' }).code).toBe(ErrorCode.InvalidParams);
    expect(refusal(smallFile(), 'tag.delete', { name: 'nosuch' })).toMatchObject({ code: ErrorCode.NotFound, message: 'tag "nosuch" does not exist; tags: master, feature, bare, last' });
  });
});

describe('tag.rename', () => {
  it('moves the tag to its new name, last in the file as Task Master writes it, noting the rename in its metadata', () => {
    const base = smallFile();
    const { after, value } = inDraft(base, 'tag.rename', { from: 'feature', to: 'feat2' });
    expect(value).toEqual({ from: 'feature', to: 'feat2' });
    expect(Object.keys(after)).toEqual(['master', 'bare', 'last', 'feat2']);
    expect(after.feat2.tasks).toBe(base.feature.tasks);
    // `updated` is left as it was, as Task Master leaves it.
    expect(after.feat2.metadata).toEqual({ created: OLD, updated: OLD, description: 'Feature work', renamed: { from: 'feature', date: NOW } });
    for (const tag of ['master', 'bare', 'last']) expect(after[tag]).toBe(base[tag]);
  });

  it('gives a tag without metadata the metadata Task Master gives it', () => {
    const data = smallFile();
    plain(data, 'tag.rename', { from: 'bare', to: 'bare2' });
    expect(data.bare2).toEqual({ tasks: [], metadata: { created: NOW, updated: NOW, description: 'Tasks for bare context', renamed: { from: 'bare', date: NOW } } });
  });

  it('refuses renaming master, a name taken or reserved or malformed, and a tag that does not exist', () => {
    expect(refusal(smallFile(), 'tag.rename', { from: 'master', to: 'm2' })).toMatchObject({ code: ErrorCode.InvalidParams, message: 'the master tag cannot be renamed' });
    expect(refusal(smallFile(), 'tag.rename', { from: 'feature', to: 'last' }).message).toBe('to: tag "last" already exists; choose another name');
    expect(refusal(smallFile(), 'tag.rename', { from: 'feature', to: 'feature' }).message).toContain('it is the tag being renamed');
    expect(refusal(smallFile(), 'tag.rename', { from: 'feature', to: 'default' }).message).toContain('"default" is a reserved tag name');
    expect(refusal(smallFile(), 'tag.rename', { from: 'feature', to: 'v1.2' }).message).toContain('can only contain letters, numbers, hyphens and underscores');
    expect(refusal(smallFile(), 'tag.rename', { from: 'nosuch', to: 'q' }).code).toBe(ErrorCode.NotFound);
  });
});

describe('tag.copy', () => {
  it('adds a deep copy last in the file with Task Master\'s metadata, noting where it came from', () => {
    const base = smallFile();
    const { after, value } = inDraft(base, 'tag.copy', { from: 'feature', to: 'feat-copy' });
    expect(Object.keys(after)).toEqual(['master', 'feature', 'bare', 'last', 'feat-copy']);
    expect(after['feat-copy'].tasks).toEqual(base.feature.tasks);
    expect(after['feat-copy'].tasks[0]).not.toBe(base.feature.tasks[0]);
    expect(after['feat-copy'].metadata).toEqual({
      created: NOW,
      updated: NOW,
      description: `Copy of "feature" created on ${LOCAL_DATE}`,
      copiedFrom: { tag: 'feature', date: NOW },
    });
    expect(value).toEqual({ tag: { name: 'feat-copy', taskCount: 2, completedCount: 1, description: `Copy of "feature" created on ${LOCAL_DATE}` } });
    for (const tag of ['master', 'feature', 'bare', 'last']) expect(after[tag]).toBe(base[tag]);
  });

  it('takes a description, copies master, and refuses a taken or reserved target or a missing source', () => {
    const data = smallFile();
    plain(data, 'tag.copy', { from: 'master', to: 'mcopy', description: 'D' });
    expect(data.mcopy.metadata.description).toBe('D');
    expect(data.mcopy.tasks).toEqual(data.master.tasks);
    expect(refusal(smallFile(), 'tag.copy', { from: 'feature', to: 'last' }).message).toBe('to: tag "last" already exists; choose another name');
    expect(refusal(smallFile(), 'tag.copy', { from: 'feature', to: 'main' }).code).toBe(ErrorCode.InvalidParams);
    expect(refusal(smallFile(), 'tag.copy', { from: 'nosuch', to: 'x' }).code).toBe(ErrorCode.NotFound);
  });

  it('copies master of a legacy file into a tagged one', () => {
    const data: any = { tasks: smallFile().master.tasks, metadata: { created: OLD, updated: OLD, description: 'legacy' } };
    plain(data, 'tag.copy', { from: 'master', to: 'twin' });
    expect(Object.keys(data)).toEqual(['master', 'twin']);
    expect(data.master.metadata).toEqual({ created: OLD, updated: OLD, description: 'legacy' });
    expect(data.twin.tasks).toEqual(data.master.tasks);
  });
});

describe('tag verbs through a store', () => {
  it('adds, copies, renames and deletes tags in a project made by initProject', async () => {
    const project = tempProject();
    await initProject(project.root);
    const store = await openStore(project.root);
    await callDirect(store, 'task.create', { task: { title: 'first' } });
    const added = await callDirect(store, 'tag.add', { name: 'sprint', copyFrom: 'master', description: 'Sprint 1' });
    expect(added.tag).toEqual({ name: 'sprint', taskCount: 1, completedCount: 0, description: 'Sprint 1' });
    await callDirect(store, 'tag.copy', { from: 'sprint', to: 'sprint-b' });
    await callDirect(store, 'tag.rename', { from: 'sprint', to: 'sprint-a' });
    expect(await callDirect(store, 'tag.delete', { name: 'sprint-b' })).toEqual({ deleted: 'sprint-b', taskCount: 1 });
    const onDisk = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    expect(Object.keys(onDisk)).toEqual(['master', 'sprint-a']);
    expect(onDisk['sprint-a'].tasks.map((t: any) => t.title)).toEqual(['first']);
    expect(onDisk['sprint-a'].metadata).toMatchObject({ description: 'Sprint 1', renamed: { from: 'sprint' } });
    const listed = await callDirect(store, 'tags.list', undefined);
    expect(listed.tags.map((t) => t.name)).toEqual(['master', 'sprint-a']);

    const before = fs.readFileSync(project.tasksFile, 'utf8');
    const err = await rejectionOf(callDirect(store, 'tag.add', { name: 'sprint-a' }));
    expect(err.code).toBe(ErrorCode.InvalidParams);
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(before);
  });

  it('renames the current tag and state.json follows it, as Task Master does; another tag leaves state.json alone', async () => {
    const project = tempProject(smallFile());
    const store = await openStore(project.root);
    await callDirect(store, 'tag.use', { name: 'feature' });
    const state = () => JSON.parse(fs.readFileSync(path.join(project.root, '.taskmaster', 'state.json'), 'utf8'));

    expect(await callDirect(store, 'tag.rename', { from: 'bare', to: 'bare2' })).toEqual({ from: 'bare', to: 'bare2' });
    const untouched = fs.readFileSync(path.join(project.root, '.taskmaster', 'state.json'), 'utf8');
    expect(JSON.parse(untouched).currentTag).toBe('feature');

    expect(await callDirect(store, 'tag.rename', { from: 'feature', to: 'feat2' })).toEqual({ from: 'feature', to: 'feat2', current: true });
    expect(state().currentTag).toBe('feat2');
    expect(Object.keys(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')))).toEqual(['master', 'last', 'bare2', 'feat2']);
    // The next command without --tag works on the renamed tag.
    expect((await callDirect(store, 'tasks.list', {})).tag).toBe('feat2');
  });

  it('converts a legacy file on disk when a tag is added', async () => {
    const project = tempProject({ tasks: [{ id: 1, title: 'old', status: 'done', dependencies: [] }], metadata: { created: OLD, description: 'legacy' } });
    const store = await openStore(project.root);
    await callDirect(store, 'tag.add', { name: 'next' });
    const onDisk = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'));
    expect(Object.keys(onDisk)).toEqual(['master', 'next']);
    expect(onDisk.master).toEqual({ tasks: [{ id: 1, title: 'old', status: 'done', dependencies: [] }], metadata: { created: OLD, description: 'legacy' } });
    expect((await callDirect(store, 'tags.list', undefined)).tags.map((t) => t.name)).toEqual(['master', 'next']);
  });
});

describe('tag verbs on the real Task Master file', () => {
  const fixtureTags = Object.keys(JSON.parse(FIXTURE_TEXT));

  /** The text of top-level tag `name` in a file written as Task Master writes it (2-space JSON). */
  function tagText(text: string, name: string): string {
    const start = text.indexOf(`\n  ${JSON.stringify(name)}: {`);
    if (start < 0) throw new Error(`no tag ${name} in the file`);
    return text.slice(start, text.indexOf('\n  }', start) + 4);
  }

  it('has the 9 tags these tests rely on, written as Task Master writes it', () => {
    expect(fixtureTags).toHaveLength(9);
    expect(JSON.stringify(JSON.parse(FIXTURE_TEXT), null, 2)).toBe(FIXTURE_TEXT);
  });

  it('deletes a tag: the file is the old bytes without that tag', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const taskCount = JSON.parse(FIXTURE_TEXT)['tm-start'].tasks.length;
    expect(await callDirect(store, 'tag.delete', { name: 'tm-start' })).toEqual({ deleted: 'tm-start', taskCount });
    const section = `,${tagText(FIXTURE_TEXT, 'tm-start')}`;
    expect(fs.readFileSync(project.tasksFile, 'utf8')).toBe(FIXTURE_TEXT.replace(section, ''));
  });

  it('copies a tag: the old bytes stay as they were, the copy follows them', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    const source = JSON.parse(FIXTURE_TEXT).loop;
    const result = await callDirect(store, 'tag.copy', { from: 'loop', to: 'loop-copy' });
    expect(result.tag).toMatchObject({ name: 'loop-copy', taskCount: source.tasks.length, completedCount: source.metadata.completedCount });
    const text = fs.readFileSync(project.tasksFile, 'utf8');
    expect(text.startsWith(FIXTURE_TEXT.slice(0, FIXTURE_TEXT.lastIndexOf('\n}')))).toBe(true);
    for (const tag of fixtureTags) expect(tagText(text, tag)).toBe(tagText(FIXTURE_TEXT, tag));
    const after = JSON.parse(text);
    expect(Object.keys(after)).toEqual([...fixtureTags, 'loop-copy']);
    expect(after['loop-copy'].tasks).toEqual(source.tasks);
  });

  it('renames a tag: it moves last with its tasks as they were, every other tag byte for byte as before', async () => {
    const project = fixtureProject();
    const store = await openStore(project.root);
    await callDirect(store, 'tag.rename', { from: 'tm-start', to: 'tm-begin' });
    const text = fs.readFileSync(project.tasksFile, 'utf8');
    for (const tag of fixtureTags.filter((t) => t !== 'tm-start')) expect(tagText(text, tag)).toBe(tagText(FIXTURE_TEXT, tag));
    const after = JSON.parse(text);
    expect(Object.keys(after)).toEqual([...fixtureTags.filter((t) => t !== 'tm-start'), 'tm-begin']);
    const before = JSON.parse(FIXTURE_TEXT)['tm-start'];
    expect(after['tm-begin'].tasks).toEqual(before.tasks);
    expect(after['tm-begin'].metadata).toEqual({ ...before.metadata, renamed: { from: 'tm-start', date: expect.any(String) } });
    // The renamed tag's tasks are byte for byte as before too.
    const tasksText = (t: string, tag: string) => {
      const s = tagText(t, tag);
      return s.slice(s.indexOf('"tasks": ['), s.indexOf('\n    ],') + 7);
    };
    expect(tasksText(text, 'tm-begin')).toBe(tasksText(FIXTURE_TEXT, 'tm-start'));
    expect(fs.existsSync(path.join(project.root, '.taskmaster', 'state.json'))).toBe(false);
  });
});
