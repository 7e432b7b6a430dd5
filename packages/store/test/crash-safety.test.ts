import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { initProject, openStore } from '../src/index.js';
import { cleanup, sleep, startChild, tempProject } from './helpers.js';

afterEach(cleanup);

const KILLS = 50;

describe('a writer killed with SIGKILL at random moments', () => {
  it('never leaves a broken file and never loses an acknowledged update', async () => {
    const project = tempProject();
    await initProject(project.root);
    const acked: string[] = [];
    let lockLeftBehind = 0;
    for (let run = 0; run < KILLS; run++) {
      const writer = startChild('writer.mjs', [project.root, `k${run}`, '-1']);
      await writer.waitFor(/^ack /);
      await sleep(Math.random() * 40);
      writer.process.kill('SIGKILL');
      await writer.exited;
      acked.push(...writer.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' ')[1]!));

      const titles = new Set(JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')).master.tasks.map((t: { title: string }) => t.title));
      expect(acked.filter((title) => !titles.has(title))).toEqual([]);

      if (fs.existsSync(project.lockFile)) {
        lockLeftBehind++;
        // Fast-forward the dead writer's lock past the stale threshold instead of waiting 10 s:
        // the next writer must then take it over on its own.
        const past = new Date(Date.now() - 60_000);
        fs.utimesSync(project.lockFile, past, past);
      }
    }
    // The run is only meaningful if kills also hit writers while they held the lock.
    expect(acked.length).toBeGreaterThanOrEqual(KILLS);
    const store = await openStore(project.root, { lockTimeoutMs: 5000 });
    const { value } = await store.create({ title: 'after the crashes' }, { tag: 'master' });
    expect(value.task.title).toBe('after the crashes');
    expect(fs.existsSync(project.lockFile)).toBe(false);
    console.info(`${KILLS} kills, ${acked.length} acknowledged writes, ${lockLeftBehind} locks left behind and taken over`);
  });
});
