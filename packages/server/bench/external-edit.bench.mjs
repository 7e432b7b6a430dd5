// External edit → client event latency through the whole chain: another process
// rewrites tasks.json (write a temp file, rename it over), the server's watcher sees
// it, diffs it and broadcasts; a subscribed WebSocket client receives task.updated.
// Runs the server in a child process (bench/serve.mjs) on a copy of the real fixture.
import { fork, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject } from '@taskmaster/store';
import WebSocket from 'ws';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixture = process.env.TASKMASTER_FIXTURE ?? join(here, '../../../../shared/fixtures/taskmaster-repo-tasks.json');
const EDITS = Number(process.env.BENCH_EDITS ?? 60);

const root = await mkdtemp(join(tmpdir(), 'tm-bench-ext-'));
await initProject(root);
const tasksPath = join(root, '.taskmaster', 'tasks', 'tasks.json');
await writeFile(tasksPath, await readFile(fixture));

const server = fork(join(here, 'serve.mjs'), [root], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const { wsUrl } = await new Promise((resolve) => server.once('message', resolve));
const ws = new WebSocket(wsUrl);
await new Promise((resolve) => ws.once('open', resolve));
let waiting;
ws.on('message', (raw) => {
  const value = JSON.parse(raw.toString());
  for (const m of Array.isArray(value) ? value : [value]) {
    if (m.method === 'task.updated' && waiting) waiting(performance.now());
  }
});
ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { events: ['task.updated'] } }));
await new Promise((r) => setTimeout(r, 300));

// The writer is a separate process, like Task Master's CLI: it reports when its rename landed.
const writer = `
  const fs = require('node:fs');
  const [file, n] = process.argv.slice(1);
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  data.master.tasks[0].title = 'External edit ' + n;
  const tmp = file + '.ext-' + process.pid;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2));
  const t = performance.timeOrigin + performance.now();
  fs.renameSync(tmp, file);
  process.stdout.write(String(t));`;

const samples = [];
for (let i = 0; i < EDITS; i++) {
  const received = new Promise((resolve) => (waiting = resolve));
  const out = spawnSync(process.execPath, ['-e', writer, tasksPath, String(i)], { encoding: 'utf8' });
  const renamedAt = Number(out.stdout);
  const at = await Promise.race([received, new Promise((r) => setTimeout(() => r(undefined), 5000))]);
  waiting = undefined;
  if (at === undefined) {
    console.log(`edit ${i}: no event within 5 s`);
    continue;
  }
  samples.push(performance.timeOrigin + at - renamedAt);
  await new Promise((r) => setTimeout(r, 50));
}
samples.sort((a, b) => a - b);
const q = (p) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))].toFixed(1);
const size = (await readFile(tasksPath)).length;
console.log(`external edit → client event, fixture ${(size / 1024).toFixed(0)} KB, ${samples.length}/${EDITS} edits: p50=${q(0.5)} ms p99=${q(0.99)} ms max=${q(1)} ms (target p99 ≤ 300 ms)`);

ws.close();
await new Promise((resolve) => { server.once('exit', resolve); server.send('close'); });
await rm(root, { recursive: true, force: true });
