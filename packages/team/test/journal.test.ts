import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { TasksFile } from '@taskmaster/protocol';
import { Journal } from '../src/index.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const op = (id: string) => ({ change: { event: 'task.deleted' as const, payload: { tag: 'master', id } } });

it('keeps the outbox and last_seen across a restart, and forgets what was seen back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tm-journal-'));
  dirs.push(dir);
  const first = await Journal.open(dir);
  first.joined('acme', 4);
  first.recordLocal('00000000-0000-4000-8000-000000000001', [op('1')]);
  first.recordLocal('00000000-0000-4000-8000-000000000002', [op('2')]);
  first.recordPushed([{ id: '00000000-0000-4000-8000-000000000001', seq: 5 }]);
  first.recordSeen(5, ['00000000-0000-4000-8000-000000000001']);
  first.close();
  expect((await stat(join(dir, 'journal.jsonl'))).mode & 0o777).toBe(0o600);

  const again = await Journal.open(dir);
  expect(again.state.project).toBe('acme');
  expect(again.state.lastSeen).toBe(5);
  expect([...again.state.outbox.keys()]).toEqual(['00000000-0000-4000-8000-000000000002']);
  expect(again.state.outbox.get('00000000-0000-4000-8000-000000000002')!.seq).toBeUndefined();
  again.close();
});

it('keeps outbox entries renumbered by a pull, in their order, across a restart and a compaction', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tm-journal-'));
  dirs.push(dir);
  const journal = await Journal.open(dir);
  journal.joined('acme', 0);
  const ids = ['00000000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-000000000012', '00000000-0000-4000-8000-000000000013'];
  // The last entry over 1 MB, so that the journal is compacted below.
  const big = { change: { event: 'task.created' as const, payload: { tag: 'master', id: '6', task: { id: 6, title: 'Big', details: 'x'.repeat(1024 * 1024) } } } };
  journal.recordLocal(ids[0]!, [op('4')]);
  journal.recordLocal(ids[1]!, [op('5')]);
  journal.recordLocal(ids[2]!, [big]);
  // A pull of rows up to 7, which took ids 4 and 5: the first two entries now name 8 and 9.
  journal.recordSeen(7, [], [
    { id: ids[0]!, ops: [op('8')] },
    { id: ids[1]!, ops: [op('9')] },
  ]);
  journal.close();
  const wanted = { lastSeen: 7, outbox: [[ids[0], [op('8')]], [ids[1], [op('9')]], [ids[2], [big]]] };
  const stateOf = (j: Journal) => ({ lastSeen: j.state.lastSeen, outbox: [...j.state.outbox.values()].map((e) => [e.id, e.ops]) });
  const again = await Journal.open(dir);
  expect(stateOf(again)).toEqual(wanted);
  await again.compactIfLarge();
  again.close();
  const compacted = await readFile(join(dir, 'journal.jsonl'), 'utf8');
  expect(compacted.trim().split('\n').map((line) => JSON.parse(line).k)).toEqual(['joined', 'local', 'local', 'local']);
  const reopened = await Journal.open(dir);
  expect(stateOf(reopened)).toEqual(wanted);
  reopened.close();
});

it('ignores a record cut short by a crash', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tm-journal-'));
  dirs.push(dir);
  const journal = await Journal.open(dir);
  journal.joined('acme', 0);
  journal.recordLocal('00000000-0000-4000-8000-000000000003', [op('3')]);
  journal.close();
  const { appendFile } = await import('node:fs/promises');
  await appendFile(join(dir, 'journal.jsonl'), '{"k":"local","id":"00000000-0000-4000-8000-0000');
  const reopened = await Journal.open(dir);
  expect(reopened.state.outbox.size).toBe(1);
  reopened.close();
  expect(await readFile(join(dir, 'journal.jsonl'), 'utf8')).toContain('"joined"');
});

it('keeps the broken and fixed tags across a restart and a compaction, leaving out one a hand edit spoilt', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tm-journal-'));
  dirs.push(dir);
  const feature = { tasks: [{ id: 1, title: 'Feature one', status: 'pending', details: 'x'.repeat(1024 * 1024) }] };
  const first = await Journal.open(dir);
  first.joined('acme', 0);
  // `feature` was good before it broke; `fresh` came broken (no last good tag); `__proto__` is a tag name like any other.
  const lastGood = new Map<string, TasksFile>([
    ['feature', { feature } as TasksFile],
    ['fresh', {}],
    ['__proto__', JSON.parse('{"__proto__":{"tasks":[]}}')],
  ]);
  const fixedIn = new Map<string, TasksFile>([['other', { other: { tasks: [{ id: 1, title: 'Fixed', status: 'pending' }] } } as TasksFile]]);
  first.recordTagRepairs({ lastGood, fixedIn });
  first.close();

  const again = await Journal.open(dir);
  const { tagRepairs } = again.state;
  expect([...tagRepairs.lastGood.keys()]).toEqual(['feature', 'fresh', '__proto__']);
  expect(tagRepairs.lastGood.get('feature')).toEqual({ feature });
  expect(Object.keys(tagRepairs.lastGood.get('fresh')!)).toEqual([]);
  expect(Object.getOwnPropertyNames(tagRepairs.lastGood.get('__proto__')!)).toEqual(['__proto__']);
  expect(tagRepairs.fixedIn).toEqual(fixedIn);
  // Over 1 MB: rewritten with what is still needed, the repairs among it.
  await again.compactIfLarge();
  again.close();
  const compacted = await readFile(join(dir, 'journal.jsonl'), 'utf8');
  expect(compacted.trim().split('\n').map((line) => JSON.parse(line).k)).toEqual(['joined', 'broken']);
  const reread = await Journal.open(dir);
  expect(reread.state.tagRepairs.lastGood.get('feature')).toEqual({ feature });
  expect(reread.state.tagRepairs.fixedIn).toEqual(fixedIn);
  reread.close();

  const { appendFile } = await import('node:fs/promises');
  await appendFile(join(dir, 'journal.jsonl'), `${JSON.stringify({ k: 'broken', lastGood: { feature: { tasks: [{ id: 1, title: null }] }, fresh: null } })}\n`);
  const edited = await Journal.open(dir);
  expect([...edited.state.tagRepairs.lastGood.keys()]).toEqual(['fresh']);
  expect(edited.state.tagRepairs.fixedIn.size).toBe(0);
  // The same repairs again write nothing.
  const size = (await stat(join(dir, 'journal.jsonl'))).size;
  edited.recordTagRepairs({ ...edited.state.tagRepairs });
  expect((await stat(join(dir, 'journal.jsonl'))).size).toBe(size);
  edited.close();
});
