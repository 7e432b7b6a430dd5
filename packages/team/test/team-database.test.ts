import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestCluster, postgresBinDir, type TestCluster } from '@taskmaster/pg-test-cluster';
import { openTeamProject, TeamAccessError, TeamDatabase } from '../src/index.js';

let cluster: TestCluster;
let dbCount = 0;
const newDatabase = () => cluster.createDatabase(`team_db_${process.pid}_${++dbCount}`);

beforeAll(async () => {
  cluster = await startTestCluster();
});
afterAll(async () => {
  await cluster?.remove();
});

const file = (title: string) => ({ master: { tasks: [{ id: 1, title, description: 'd', status: 'pending', dependencies: [], subtasks: [] }] } });

describe('the team log on PostgreSQL', () => {
  it('migrates once, however many servers connect at the same time', async () => {
    const url = await newDatabase();
    const dbs = await Promise.all([1, 2, 3].map(() => TeamDatabase.connect(url)));
    await Promise.all(dbs.map((d) => d.close()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const versions = await client.query('SELECT version FROM taskmaster_team_migrations');
    await client.end();
    expect(versions.rows.map((r) => r.version)).toEqual([1]);
  });

  it('numbers changes in order per project, and a retried push keeps its number', async () => {
    const url = await newDatabase();
    const a = await openTeamProject({ url, project: 'alpha' }, undefined, { createWith: () => file('one') as never });
    try {
      expect(a.created).toBe(true);
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const first = await a.db.append(a.row.id, ids.slice(0, 2).map((id) => ({ id, payload: a.codec.encodeChange(id, []) })));
      expect(first.map((p) => p.seq)).toEqual([1, 2]);
      // The same ids again (a server killed before it recorded the push) plus a new one.
      const again = await a.db.append(a.row.id, ids.map((id) => ({ id, payload: a.codec.encodeChange(id, []) })));
      expect(again.map((p) => p.seq)).toEqual([1, 2, 3]);
      const rows = await a.db.changesAfter(a.row.id, 1, 10);
      expect(rows.map((r) => [r.seq, r.change_id])).toEqual([
        [2, ids[1]],
        [3, ids[2]],
      ]);
      expect(await a.db.head(a.row.id)).toBe(3);
    } finally {
      await a.db.close();
    }
  });

  it('adds nothing made against a log that has moved on since: the writer pulls first', async () => {
    const url = await newDatabase();
    const a = await openTeamProject({ url, project: 'cas' }, undefined, { createWith: () => file('one') as never });
    const b = await openTeamProject({ url, project: 'cas' }, undefined);
    try {
      const change = () => {
        const id = randomUUID();
        return { id, payload: a.codec.encodeChange(id, []) };
      };
      // Both made a change against the log at 0; A's goes first.
      expect((await a.db.append(a.row.id, [change()], 0))?.map((p) => p.seq)).toEqual([1]);
      const late = change();
      expect(await b.db.append(b.row.id, [late], 0)).toBeUndefined();
      expect(await b.db.head(b.row.id)).toBe(1);
      // Once B has seen 1, it goes in; A, which knows its own 1, goes on after it only once it has seen B's.
      expect((await b.db.append(b.row.id, [late], 1))?.map((p) => p.seq)).toEqual([2]);
      expect(await a.db.append(a.row.id, [change()], 1)).toBeUndefined();
      // A retried push of what the log holds keeps its number whatever the head.
      expect(await b.db.append(b.row.id, [late], 0)).toEqual([{ id: late.id, seq: 2 }]);
      expect((await b.db.changesAfter(b.row.id, 0, 10)).map((r) => r.seq)).toEqual([1, 2]);
    } finally {
      await Promise.all([a.db.close(), b.db.close()]);
    }
  });

  it('hands out unique, gapless numbers to concurrent writers', async () => {
    const url = await newDatabase();
    const opened = await openTeamProject({ url, project: 'race' }, undefined, { createWith: () => file('x') as never });
    const writers = await Promise.all([1, 2, 3].map(() => openTeamProject({ url, project: 'race' }, undefined)));
    try {
      const pushed = await Promise.all(
        writers.flatMap((w) => Array.from({ length: 20 }, () => w.db.append(w.row.id, [{ id: randomUUID(), payload: Buffer.from('{}') }]))),
      );
      const seqs = pushed.flat().map((p) => p.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    } finally {
      await Promise.all([opened, ...writers].map((w) => w.db.close()));
    }
  });

  it('stores no task text when the project is encrypted, and refuses a wrong passphrase', async () => {
    const url = await newDatabase();
    const secret = 'Launch the Zebrafish initiative';
    const a = await openTeamProject({ url, project: 'sealed' }, 'correct horse battery staple\n', { createWith: () => file(secret) as never });
    const id = randomUUID();
    const ops = [{ change: { event: 'task.updated' as const, payload: { tag: 'master', id: '1', task: { id: 1, title: `${secret} v2` } as never, changed: ['title'] } } }];
    await a.db.append(a.row.id, [{ id, payload: a.codec.encodeChange(id, ops) }]);
    const back = await a.db.changesAfter(a.row.id, 0, 10);
    expect(a.codec.decodeChange(id, back[0]!.payload)[0]).toMatchObject({ change: { payload: { id: '1' } } });
    await a.db.close();

    const dump = execFileSync(`${postgresBinDir()}/pg_dump`, ['--data-only', url], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(dump).toContain('sealed');
    expect(dump).not.toContain('Zebrafish');
    expect(dump).not.toContain(Buffer.from('Zebrafish').toString('hex'));

    await expect(openTeamProject({ url, project: 'sealed' }, 'wrong horse')).rejects.toThrow(TeamAccessError);
    await expect(openTeamProject({ url, project: 'sealed' }, 'wrong horse')).rejects.toThrow(/wrong passphrase/);
    await expect(openTeamProject({ url, project: 'sealed' }, undefined)).rejects.toThrow(/encrypted; give its passphrase/);
    const right = await openTeamProject({ url, project: 'sealed' }, 'correct horse battery staple');
    expect(right.codec.decodeChange(id, back[0]!.payload)[0]).toMatchObject({ change: { event: 'task.updated' } });
    await right.db.close();
  });
});
