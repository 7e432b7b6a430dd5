import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { initProject } from '../src/index.js';
import { cleanup, startChild, tempProject, type Child } from './helpers.js';

afterEach(cleanup);

/** Parses tasks.json over and over (every few ms, leaving the writers some CPU) until `stop()`. */
function readContinuously(file: string) {
  let running = true;
  const stats = { parses: 0, failures: [] as string[] };
  const done = (async () => {
    while (running) {
      try {
        JSON.parse(await fs.promises.readFile(file, 'utf8'));
        stats.parses++;
      } catch (err) {
        stats.failures.push(String(err));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    stats,
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('many processes writing one file', () => {
  it('keeps every create from 8 processes × 200, and the file always parses', async () => {
    const project = tempProject();
    await initProject(project.root);
    const reader = readContinuously(project.tasksFile);
    const writers: Child[] = [];
    for (let p = 0; p < 8; p++) writers.push(startChild('writer.mjs', [project.root, `p${p}`, '200']));
    const exits = await Promise.all(writers.map((w) => w.exited));
    await reader.stop();

    expect(exits.every((e) => e.code === 0)).toBe(true);
    expect(reader.stats.failures).toEqual([]);
    expect(reader.stats.parses).toBeGreaterThan(0);
    const tasks = JSON.parse(fs.readFileSync(project.tasksFile, 'utf8')).master.tasks as Array<{ id: number; title: string }>;
    expect(tasks).toHaveLength(1600);
    const expected = writers.flatMap((_, p) => Array.from({ length: 200 }, (__, i) => `p${p}-${i}`));
    expect(new Set(tasks.map((t) => t.title))).toEqual(new Set(expected));
    expect(new Set(tasks.map((t) => t.id)).size).toBe(1600);
    // Each process saw its own writes acknowledged with the id that is in the file.
    for (const w of writers) {
      for (const line of w.lines.filter((l) => l.startsWith('ack '))) {
        const [, title, id] = line.split(' ');
        expect(tasks.find((t) => t.title === title)?.id).toBe(Number(id));
      }
    }
    // 1,600 durable commits, each snapshotting the file before it (compressed), by 8 processes on
    // 2 cores that CI shares with other suites: 25 s alone, up to a minute beside them.
  }, 180_000);
});
