import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '@taskmaster/pg-test-cluster';
import { cleanUp, makeProject, readTasks, run, runJson, startDaemon } from './helpers.js';

let cluster: TestCluster;
let url: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  url = await cluster.createDatabase(`cli_team_${process.pid}`);
});
afterEach(cleanUp);
afterAll(async () => {
  await cluster?.remove();
});

async function eventually(check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('taskmaster team', () => {
  it('joins two projects to one team (README example), shows status and leaves', { timeout: 180_000 }, async () => {
    const a = await makeProject({ fixture: true });
    const b = await makeProject();
    // README: taskmaster team join <postgres-url> --project <name>
    const joined = await run(['team', 'join', url, '--project', 'acme-web'], a);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toContain('Joined team project "acme-web"');
    expect(statSync(path.join(a, '.taskmaster', 'config', 'sync.json')).mode & 0o777).toBe(0o600);
    expect((await run(['team', 'join', url, '--project', 'acme-web'], b)).code).toBe(0);

    // No server yet: the outbox on disk, not connected.
    const offline = await runJson(['team', 'status'], a);
    expect(offline).toMatchObject({ joined: true, project: 'acme-web', connected: false, serverRunning: false });

    await startDaemon(a);
    await eventually(async () => expect(await runJson(['team', 'status'], a)).toMatchObject({ connected: true }));
    await startDaemon(b);
    // README: the team's tasks reach the project that joined it.
    await eventually(async () => expect(readTasks(b).master.tasks.length).toBe(readTasks(a).master.tasks.length));
    expect((await run(['update-task', '--id', '3', '--title', 'Renamed on B'], b)).code).toBe(0);
    await eventually(async () => expect(readTasks(a).master.tasks.find((t: { id: unknown }) => String(t.id) === '3').title).toBe('Renamed on B'));
    await eventually(async () => {
      const status = await runJson(['team', 'status'], b);
      expect(status).toMatchObject({ joined: true, connected: true, outbox: 0, encrypted: false });
      expect(status.lastSeq).toBeGreaterThan(0);
    });

    const left = await run(['team', 'leave'], b);
    expect(left.code).toBe(0);
    expect((await runJson(['team', 'status'], b).catch(() => ({ joined: false })))).toMatchObject({ joined: false });
  });

  it('refuses a wrong passphrase and writes nothing', { timeout: 120_000 }, async () => {
    const a = await makeProject();
    const b = await makeProject();
    const right = path.join(a, 'passphrase');
    const wrong = path.join(b, 'passphrase');
    writeFileSync(right, 'orange submarine\n', { mode: 0o600 });
    writeFileSync(wrong, 'purple submarine\n', { mode: 0o600 });
    // README: taskmaster team join <postgres-url> --project <name> --passphrase-file F
    expect((await run(['team', 'join', url, '--project', 'sealed-web', '--passphrase-file', right], a)).code).toBe(0);
    await startDaemon(a);
    await eventually(async () => expect(await runJson(['team', 'status'], a)).toMatchObject({ connected: true, encrypted: true }));
    const refused = await run(['team', 'join', url, '--project', 'sealed-web', '--passphrase-file', wrong], b);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('wrong passphrase');
    expect(refused.stderr).not.toContain('purple');
    expect((await runJson(['team', 'status'], b).catch(() => ({ joined: false })))).toMatchObject({ joined: false });
    // A passphrase file others can read is refused too.
    writeFileSync(path.join(b, 'open-passphrase'), 'orange submarine\n', { mode: 0o644 });
    const open = await run(['team', 'join', url, '--project', 'sealed-web', '--passphrase-file', path.join(b, 'open-passphrase')], b);
    expect(open.code).toBe(1);
    expect(open.stderr).toContain('chmod 600');
  });
});
