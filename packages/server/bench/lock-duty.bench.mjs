// How much of each second the sync server holds tasks.json's lock while clients write
// as fast as they like, seen the way Task Master sees it: another process looks for the
// lock (tasks.json.lock) every millisecond. Task Master's CLI gives up after five tries
// within about 1.5 s, so a lock held back to back would lock it out.
import { fork, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject, openStore } from '@taskmaster/store';
import WebSocket from 'ws';

const here = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(process.env.BENCH_DUTY_SECONDS ?? 5);
const TASKS = 1000;

const root = await mkdtemp(join(tmpdir(), 'tm-bench-duty-'));
await initProject(root);
const tasksFile = join(root, '.taskmaster', 'tasks', 'tasks.json');
const tasks = Array.from({ length: TASKS }, (_, i) => ({
  id: i + 1,
  title: `Task ${i + 1}: a title of a realistic length for a task`,
  description: 'A description of one or two sentences, as Task Master writes them for each task it generates.',
  details: 'Details run longer: what to build, which files to touch, and how to check it. '.repeat(4),
  testStrategy: 'How to test it, in a sentence or two.',
  status: 'pending',
  priority: 'medium',
  dependencies: i > 0 ? [i] : [],
  subtasks: [],
}));
await writeFile(tasksFile, JSON.stringify({ master: { tasks } }, null, 2));

const server = fork(join(here, 'serve.mjs'), [root], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-semi-space-size=1'] });
// Should this process die first (a crash), the server goes with it: left running, it holds `pnpm bench`'s output open.
process.on('exit', () => server.kill('SIGKILL'));
const { wsUrl } = await new Promise((resolve) => server.once('message', resolve));

// The observer: a separate process, sampling the lock's existence every millisecond.
const observerCode = `
  const fs = require('node:fs');
  const [lock, ms] = [process.argv[1], Number(process.argv[2])];
  let held = 0, samples = 0, longest = 0, run = 0;
  const end = Date.now() + ms;
  const tick = () => {
    const now = fs.existsSync(lock);
    samples++; if (now) { held++; run++; longest = Math.max(longest, run); } else run = 0;
    if (Date.now() < end) setTimeout(tick, 1); else process.stdout.write(JSON.stringify({ held, samples, longest }));
  };
  tick();`;

const writers = await Promise.all(
  Array.from({ length: 4 }, async () => {
    const ws = new WebSocket(wsUrl);
    await new Promise((resolve) => ws.once('open', resolve));
    return ws;
  }),
);
let acked = 0;
let stop = false;
const writing = writers.map(async (ws, w) => {
  let next = 1;
  const pending = new Map();
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    for (const r of Array.isArray(m) ? m : [m]) {
      if (pending.has(r.id)) {
        pending.get(r.id)();
        pending.delete(r.id);
      }
    }
  });
  while (!stop) {
    // 10 updates in flight per writer: the server is never idle.
    await Promise.all(
      Array.from({ length: 10 }, () => {
        const id = `${w}-${next++}`;
        return new Promise((resolve) => {
          pending.set(id, () => {
            acked++;
            resolve();
          });
          ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'task.update', params: { id: (next % TASKS) + 1, details: `w${w} ${next}` } }));
        });
      }),
    );
  }
});

/** Runs the observer for SECONDS and resolves with what it saw. */
async function observe() {
  const observer = spawn(process.execPath, ['-e', observerCode, `${tasksFile}.lock`, String(SECONDS * 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  observer.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => observer.once('exit', resolve));
  return JSON.parse(out);
}
const percent = ({ held, samples }) => `${((100 * held) / samples).toFixed(1)}%`;

const ours = await observe();
stop = true;
await Promise.all(writing);
const oursRate = acked / SECONDS;

// The anchor, same file, same run: the store committing back to back with no pause (what the
// server did before), i.e. the lock as a writer that never yields it leaves it to Task Master.
const store = await openStore(root, { actor: 'bench' });
let commits = 0;
let anchorStop = false;
const anchorWriting = (async () => {
  for (let n = 0; !anchorStop; n++) {
    await store.transact((d) => {
      d.master.tasks[n % TASKS].details = `anchor ${n}`;
    });
    commits++;
  }
})();
const anchor = await observe();
anchorStop = true;
await anchorWriting;

console.log(
  `lock duty cycle, ${TASKS} tasks (1 ms observer): sync server, 4 writers × 10 in flight: held ${percent(ours)} of ${ours.samples} samples, ` +
    `longest ≈ ${ours.longest} samples, ${oursRate.toFixed(0)} acknowledged updates/s · anchor, the store committing back to back: ` +
    `held ${percent(anchor)}, ${(commits / SECONDS).toFixed(0)} commits/s · ratio ${(ours.held / ours.samples / (anchor.held / anchor.samples)).toFixed(2)}`,
);

for (const ws of writers) ws.close();
await new Promise((resolve) => {
  server.once('exit', resolve);
  server.send('close');
});
await rm(root, { recursive: true, force: true });
