import fs from 'node:fs';
import path from 'node:path';
import { SyncConfigSchema, TaggedTasksFileSchema } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { findProjectRoot, initProject, openStore } from '../src/index.js';
import { cleanup, tempProject } from './helpers.js';

afterEach(cleanup);

function emptyDir(): string {
  const { root } = tempProject();
  fs.rmSync(path.join(root, '.taskmaster'), { recursive: true });
  return root;
}

describe('initProject', () => {
  it("creates the spec's layout with valid defaults", async () => {
    const root = emptyDir();
    const { created } = await initProject(root);
    expect(created).toEqual(
      expect.arrayContaining([
        '.taskmaster/tasks/tasks.json',
        '.taskmaster/tasks/history',
        '.taskmaster/config/sync.json',
        '.taskmaster/sparc/mappings.json',
        '.taskmaster/logs/sync.log',
      ]),
    );
    const tm = path.join(root, '.taskmaster');
    const tasksText = fs.readFileSync(path.join(tm, 'tasks/tasks.json'), 'utf8');
    expect(TaggedTasksFileSchema.safeParse(JSON.parse(tasksText)).success).toBe(true);
    expect(tasksText).toBe(JSON.stringify(JSON.parse(tasksText), null, 2));
    expect(SyncConfigSchema.safeParse(JSON.parse(fs.readFileSync(path.join(tm, 'config/sync.json'), 'utf8'))).success).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(tm, 'sparc/mappings.json'), 'utf8'))).toMatchObject({ version: 1, default: 'code' });
    expect(fs.readFileSync(path.join(tm, 'logs/sync.log'), 'utf8')).toBe('');
    // Only a running server writes connection.json: a placeholder could be mistaken for a live one.
    expect(fs.existsSync(path.join(tm, 'config/connection.json'))).toBe(false);
  });

  it('is idempotent and never overwrites tasks.json, config.json or state.json', async () => {
    const root = emptyDir();
    const tm = path.join(root, '.taskmaster');
    fs.mkdirSync(path.join(tm, 'tasks'), { recursive: true });
    const mine = { 'tasks.json': '{"master":{"tasks":[{"id":1,"title":"keep me"}]}}', 'config.json': '{"models":{}}', 'state.json': '{"currentTag":"feature"}' };
    fs.writeFileSync(path.join(tm, 'tasks/tasks.json'), mine['tasks.json']);
    fs.writeFileSync(path.join(tm, 'config.json'), mine['config.json']);
    fs.writeFileSync(path.join(tm, 'state.json'), mine['state.json']);

    const first = await initProject(root);
    expect(first.created).not.toContain('.taskmaster/tasks/tasks.json');
    const second = await initProject(root);
    expect(second.created).toEqual([]);
    expect(fs.readFileSync(path.join(tm, 'tasks/tasks.json'), 'utf8')).toBe(mine['tasks.json']);
    expect(fs.readFileSync(path.join(tm, 'config.json'), 'utf8')).toBe(mine['config.json']);
    expect(fs.readFileSync(path.join(tm, 'state.json'), 'utf8')).toBe(mine['state.json']);
  });
});

describe('findProjectRoot', () => {
  it('walks up to the first folder holding .taskmaster', () => {
    const { root } = tempProject();
    const deep = path.join(root, 'src', 'a', 'b');
    fs.mkdirSync(deep, { recursive: true });
    expect(findProjectRoot(deep, {})).toBe(root);
  });

  it('honours TASK_MASTER_PROJECT_ROOT', () => {
    const { root } = tempProject();
    const elsewhere = emptyDir();
    expect(findProjectRoot(elsewhere, { TASK_MASTER_PROJECT_ROOT: root })).toBe(root);
  });

  it('returns undefined when no folder above has .taskmaster', () => {
    expect(findProjectRoot(emptyDir(), {})).toBeUndefined();
  });
});

describe('current tag', () => {
  it("reads Task Master's state.json and defaults to master", async () => {
    const { root } = tempProject();
    const store = await openStore(root);
    expect(await store.currentTag()).toBe('master');
    fs.writeFileSync(path.join(root, '.taskmaster', 'state.json'), JSON.stringify({ currentTag: 'feature-x', lastSwitched: 'x' }));
    expect(await store.currentTag()).toBe('feature-x');
  });

  it('is where tasks go when no tag is given', async () => {
    const project = tempProject({ master: { tasks: [] }, 'feature-x': { tasks: [] } });
    fs.writeFileSync(path.join(project.root, '.taskmaster', 'state.json'), JSON.stringify({ currentTag: 'feature-x' }));
    const store = await openStore(project.root);
    const { value } = await store.create({ title: 'on the branch' });
    expect(value.tag).toBe('feature-x');
    expect(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8'))['feature-x'].tasks).toHaveLength(1);
  });
});

describe('config/sync.json', () => {
  it('uses the defaults when the file is missing', async () => {
    const store = await openStore(tempProject().root);
    expect(store.config).toEqual(SyncConfigSchema.parse({}));
  });

  it('fills in defaults for keys not given', async () => {
    const { root } = tempProject();
    fs.mkdirSync(path.join(root, '.taskmaster', 'config'));
    fs.writeFileSync(path.join(root, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ port: 6000, history: { maxSnapshots: 3 } }));
    const store = await openStore(root);
    expect(store.config.port).toBe(6000);
    expect(store.config.history).toEqual({ maxSnapshots: 3, maxBytes: SyncConfigSchema.parse({}).history.maxBytes });
  });

  it('names the file and the bad key', async () => {
    const { root } = tempProject();
    const file = path.join(root, '.taskmaster', 'config', 'sync.json');
    fs.mkdirSync(path.dirname(file));
    for (const [content, message] of [
      [{ port: 'x' }, /^\.taskmaster\/config\/sync\.json: port: expected number/],
      [{ history: { maxSnapshots: -1 } }, /^\.taskmaster\/config\/sync\.json: history\.maxSnapshots: /],
      [{ prot: 1 }, /^\.taskmaster\/config\/sync\.json: prot: unknown key$/],
    ] as const) {
      fs.writeFileSync(file, JSON.stringify(content));
      const err = await openStore(root).then(
        () => undefined,
        (e: { code: number; message: string }) => e,
      );
      expect(err?.code).toBe(-32602);
      expect(err?.message).toMatch(message);
    }
  });
});
