import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@taskmaster/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, cleanup, eventually, httpRequest, makeProject, startServer } from './helpers.js';

afterEach(cleanup);

/** Tag names that are properties of every plain object: a lookup with `obj[tag]` finds the prototype's. */
const PROTOTYPE_TAGS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

function task(id: number, title: string): Record<string, unknown> {
  return { id, title, description: '', details: '', testStrategy: '', status: 'pending', priority: 'medium', dependencies: [], subtasks: [] };
}

/**
 * A tagged file whose tags are prototype names, written as raw JSON text
 * (an object literal with a `__proto__` key would set the prototype instead).
 */
function prototypeTaggedText(): string {
  const members = [`"master": ${JSON.stringify({ tasks: [task(1, 'Master task')] })}`];
  for (const [i, tag] of ['__proto__', 'constructor', 'toString'].entries()) {
    members.push(`${JSON.stringify(tag)}: ${JSON.stringify({ tasks: [task(1, `In ${tag}`), task(2, `Second ${i}`)] })}`);
  }
  return `{${members.join(',')}}\n`;
}

async function projectWithPrototypeTags(): Promise<string> {
  const root = await makeProject();
  await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), prototypeTaggedText());
  return root;
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

describe('tags named like prototype properties', () => {
  it('lists, reads and changes tasks in __proto__, constructor and toString tags', async () => {
    const root = await projectWithPrototypeTags();
    const server = await startServer(root, { token: false });
    const client = await RawClient.connect(server.wsUrl);
    const tags = await client.result<{ tags: Array<{ name: string; taskCount: number }> }>('tags.list');
    expect(tags.tags.map((t) => t.name).sort()).toEqual(['__proto__', 'constructor', 'master', 'toString'].sort());
    expect(tags.tags.find((t) => t.name === '__proto__')?.taskCount).toBe(2);
    for (const tag of ['__proto__', 'constructor', 'toString']) {
      const list = await client.result<{ tasks: Array<{ title: string }> }>('tasks.list', { tag });
      expect(list.tasks.map((t) => t.title)).toEqual([`In ${tag}`, expect.stringMatching(/^Second/)]);
      const got = await client.result<{ task: { title: string } }>('task.get', { tag, id: 1 });
      expect(got.task.title).toBe(`In ${tag}`);
    }
    await client.result('task.update', { tag: 'constructor', id: 2, title: 'Renamed in constructor' });
    await client.result('task.create', { tag: '__proto__', task: { title: 'Created in __proto__' } });
    const onDisk = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8')) as Record<string, { tasks: Array<{ title: string }> }>;
    expect(Object.getPrototypeOf(onDisk)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(onDisk).sort()).toEqual(['__proto__', 'constructor', 'master', 'toString'].sort());
    const own = (tag: string) => Object.getOwnPropertyDescriptor(onDisk, tag)!.value as { tasks: Array<{ title: string }> };
    expect(own('constructor').tasks.map((t) => t.title)).toContain('Renamed in constructor');
    expect(own('__proto__').tasks.map((t) => t.title)).toContain('Created in __proto__');
    expect(own('master').tasks).toHaveLength(1);
  });

  it('treats a prototype name that is not a tag of the file as an unknown tag, never as a crash', async () => {
    const server = await startServer(await makeProject(), { token: false });
    const client = await RawClient.connect(server.wsUrl);
    const unknown = async (tag: string) => ({
      list: (await client.call('tasks.list', { tag })).error as { code: number; data: unknown },
      get: (await client.call('task.get', { tag, id: 1 })).error as { code: number; data: unknown },
      update: (await client.call('task.update', { tag, id: 1, title: 'x' })).error as { code: number; data: unknown },
    });
    const expected = await unknown('no-such-tag');
    expect(expected.list.code).toBe(ErrorCode.NotFound);
    for (const tag of PROTOTYPE_TAGS) {
      const got = await unknown(tag);
      for (const key of ['list', 'get', 'update'] as const) {
        expect(got[key]).toMatchObject({ code: expected[key].code, data: { ...(expected[key].data as object), tag } });
      }
    }
    // A task created in such a tag makes it a real tag of the file.
    await client.result('task.create', { tag: 'hasOwnProperty', task: { title: 'First' } });
    const list = await client.result<{ tasks: Array<{ title: string }> }>('tasks.list', { tag: 'hasOwnProperty' });
    expect(list.tasks.map((t) => t.title)).toEqual(['First']);
  });

  it('serves the HTTP task list of a __proto__ tag', async () => {
    const server = await startServer(await projectWithPrototypeTags(), { token: false });
    const res = await httpRequest(`${server.httpUrl}/api/tasks?tag=__proto__`);
    expect(res.status).toBe(200);
    expect((res.json() as { tasks: unknown[] }).tasks).toHaveLength(2);
  });
});

describe('fields named like prototype properties', () => {
  it('refuses or stores __proto__ and constructor fields of a task without changing any prototype', async () => {
    const root = await makeProject();
    const server = await startServer(root, { token: false });
    const client = await RawClient.connect(server.wsUrl);
    for (const method of ['task.update', 'task.create'] as const) {
      const params =
        method === 'task.update'
          ? `{"id":1,"changes":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"title":"Still a title"}}`
          : `{"task":{"title":"New","__proto__":{"polluted":true}}}`;
      client.send(`{"jsonrpc":"2.0","id":"${method}","method":"${method}","params":${params}}`);
      const reply = await client.waitFor((m) => m.id === method);
      if ('error' in reply) expect((reply.error as { code: number }).code).toBe(ErrorCode.InvalidParams);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const onDisk = JSON.parse(await readFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8')) as { master: { tasks: object[] } };
    for (const t of onDisk.master.tasks) expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
    const list = await client.result<{ tasks: Array<Record<string, unknown>> }>('tasks.list');
    for (const t of list.tasks) expect(t.polluted).toBeUndefined();
    expect(await client.result('ping')).toMatchObject({ pong: true });
  });
});

describe('deeply nested JSON', () => {
  it('answers a 10k- and 100k-deep message as invalid input and keeps serving', async () => {
    const server = await startServer(await makeProject(), { token: false });
    const client = await RawClient.connect(server.wsUrl);
    for (const depth of [10_000, 100_000]) {
      client.send(`{"jsonrpc":"2.0","id":"deep${depth}","method":"task.update","params":{"id":1,"changes":{"metadata":${nested(depth)}}}}`);
      const reply = await client.waitFor((m) => m.id === `deep${depth}`);
      expect([ErrorCode.InvalidParams, ErrorCode.InvalidMessage, ErrorCode.InvalidRequest]).toContain((reply.error as { code: number }).code);
      expect((reply.error as { message: string }).message).toMatch(/nest/i);
    }
    // A value deep enough to break JSON.stringify must never reach the file.
    // Deep enough to be refused (over 256 levels) though JSON.stringify could still write it.
    client.send(`{"jsonrpc":"2.0","id":"deep-field","method":"task.create","params":{"task":{"title":"deep","extra":${nested(1_000)}}}}`);
    const deep = await client.waitFor((m) => m.id === 'deep-field');
    expect((deep.error as { code: number }).code).toBe(ErrorCode.InvalidParams);
    expect(await client.result('ping')).toMatchObject({ pong: true });
    const list = await client.result<{ tasks: unknown[] }>('tasks.list');
    expect(list.tasks).toHaveLength(5);
  });

  it('reports a deeply nested tasks.json written by another program as file.invalid and keeps the last good version', async () => {
    const root = await makeProject();
    const server = await startServer(root, { debounceMs: 20, token: false });
    const client = await RawClient.connect(server.wsUrl);
    await client.result('subscribe', { events: ['*'] });
    const text = `{"master":{"tasks":[{"id":1,"title":"t","status":"pending","dependencies":[],"metadata":${nested(100_000)}}]}}`;
    await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), text);
    const invalid = await client.waitFor((m) => m.method === 'file.invalid');
    expect((invalid.params as { message: string }).message).toMatch(/nest/i);
    const list = await client.result<{ tasks: unknown[] }>('tasks.list');
    expect(list.tasks).toHaveLength(5);
    expect(client.events('task.deleted')).toHaveLength(0);
    await eventually(() => expect(client.events('file.invalid')).toHaveLength(1));
  });
});
