import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
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
