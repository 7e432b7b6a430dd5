// External edit → client event latency through the whole chain, beside its floor.
//
// Ours: another process rewrites tasks.json (reads it, changes one task's title, writes a
// temp file and renames it over, like Task Master's CLI); the server (bench/serve.mjs, a
// child process run with SERVER_NODE_FLAGS) sees it through @taskmaster/watcher, diffs and
// broadcasts; a subscribed WebSocket client here receives task.updated.
// Floor: the same kind of edit of the same file, seen by a bare chokidar watch of the
// tasks directory with our watcher's options (src/directory-watch.ts), which reads and
// JSON.parses the file on each event (bench/floor-watch.mjs, a child process run with the
// same flags). Both are timed from the writer's rename to the event at the client / the
// floor's parse done, each stamped with performance.timeOrigin + performance.now().
//
// Each side watches its own copy of the project (same layout, same bytes, the same edits),
// so an edit for one never makes the other read a 14 MB file on the same 2 cores; their
// edits alternate (ours, floor, floor, ours, …) so machine noise hits both alike. Sizes: generated realistic files (bench/gen-tasks.mjs) of 1k and 10k tasks,
// and the real 1.5 MB fixture when it is there.
//
// Env: BENCH_EDITS (edits per side per size; default 50 at 1k, else 40), BENCH_SIZES (e.g.
// "1000,fixture,10000"), BENCH_PAUSE_MS (idle after each edit, default 60; the watcher's
// debounce is 30), BENCH_BUDGET_S (seconds of edits per size before it stops early; default
// 18, 50 at 10k), BENCH_NODE_FLAGS ('' = node's defaults), TASKMASTER_FIXTURE.
import { fork, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject } from '@taskmaster/store';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from '../dist/node-flags.js';
import { generateTasksFile } from './gen-tasks.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixture = process.env.TASKMASTER_FIXTURE ?? join(here, '../../../../shared/fixtures/taskmaster-repo-tasks.json');
const sizes = (process.env.BENCH_SIZES ?? '1000,fixture,10000').split(',').filter(Boolean);
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 60);
const WARMUP = 2;
const TIMEOUT_MS = 5000;
const flags = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : [...SERVER_NODE_FLAGS];
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Everything started here is ended here, even on Ctrl-C.
const children = new Set();
const dirs = new Set();
function cleanup() {
  for (const child of children) child.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function start(script, args) {
  const child = fork(join(here, script), args, { execArgv: flags, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
  return { child, ready };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('close');
  await Promise.race([exited, sleep(5000)]);
  child.kill();
}

/** A project with `bytes` as its tasks.json. */
async function project(bytes) {
  const root = await mkdtemp(join(tmpdir(), 'tm-bench-ext-'));
  dirs.add(root);
  await initProject(root);
  const tasksFile = join(root, '.taskmaster', 'tasks', 'tasks.json');
  await writeFile(tasksFile, bytes);
  return { root, tasksFile };
}

// The writer: its own process, like Task Master's CLI (kept running, so node's start-up is
// not paid on every edit). Each edit: read the file, change one task's title, write a temp
// file beside it and rename it over; it reports when its rename landed.
const writerScript = `
  const fs = require('node:fs');
  process.on('message', ({ file, tag, index, marker }) => {
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    data[tag].tasks[index].title = marker;
    const tmp = file + '.ext-' + process.pid;
    fs.writeFileSync(tmp, JSON.stringify(data, null, 2));
    const renamedAt = performance.timeOrigin + performance.now();
    fs.renameSync(tmp, file);
    process.send({ renamedAt });
  });
  process.send({ ready: true });`;

function startWriter() {
  const child = spawn(process.execPath, ['-e', writerScript], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const ready = new Promise((resolve) => child.once('message', resolve));
  return {
    ready,
    write: (file, tag, index, marker) =>
      new Promise((resolve, reject) => {
        const died = (code) => reject(new Error(`the writer exited (${code})`));
        child.once('exit', died);
        child.once('message', (m) => {
          child.off('exit', died);
          resolve(m.renamedAt);
        });
        child.send({ file, tag, index, marker });
      }),
    close: () => child.kill(),
  };
}

async function measure(label, bytes, edits, budgetMs) {
  const tag = 'master';
  const taskCount = JSON.parse(bytes.toString('utf8'))[tag].tasks.length;
  const ours = await project(bytes);
  const floor = await project(bytes);

  const server = start('serve.mjs', [ours.root]);
  const bare = start('floor-watch.mjs', [floor.tasksFile]);
  const writer = startWriter();
  const { wsUrl } = await server.ready;
  await bare.ready;
  await writer.ready;

  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let waitingFor; // { marker, resolve }
  let subscribed;
  ws.on('message', (raw) => {
    const at = now();
    const value = JSON.parse(raw.toString());
    for (const m of Array.isArray(value) ? value : [value]) {
      if (m.id === 1) subscribed?.();
      else if (m.method === 'task.updated' && waitingFor && m.params?.task?.title === waitingFor.marker) waitingFor.resolve(at);
    }
  });
  await new Promise((resolve) => {
    subscribed = resolve;
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { events: ['task.updated'] } }));
  });
  let floorWaiting;
  bare.child.on('message', (m) => {
    if (m.floor) floorWaiting?.(m.floor);
    else if (m.expecting) floorWaiting?.('expecting');
  });

  const timeout = () => sleep(TIMEOUT_MS).then(() => undefined);
  /** One edit seen by one side: ms from the rename to the event (or the floor's parse), or undefined. */
  async function edit(side, n) {
    const index = (((n * 7919) % taskCount) + taskCount) % taskCount; // a different task each time, anywhere in the file
    const marker = `External edit ${side} ${n} ${Math.random().toString(36).slice(2)}`;
    let seen;
    if (side === 'ours') {
      seen = new Promise((resolve) => (waitingFor = { marker, resolve }));
    } else {
      await new Promise((resolve) => {
        floorWaiting = resolve;
        bare.child.send({ expect: { tag, index, marker } });
      });
      seen = new Promise((resolve) => (floorWaiting = (m) => resolve(m)));
    }
    const renamedAt = await writer.write(side === 'ours' ? ours.tasksFile : floor.tasksFile, tag, index, marker);
    const got = await Promise.race([seen, timeout()]);
    waitingFor = floorWaiting = undefined;
    if (got === undefined) {
      console.log(`  ${label}: ${side} edit ${n}: nothing within ${TIMEOUT_MS / 1000} s`);
      return undefined;
    }
    const ms = (side === 'ours' ? got : got.doneAt) - renamedAt;
    // Idle past the watcher's debounce; the floor also re-reads on the rename's later events.
    await sleep(side === 'floor' ? Math.max(PAUSE_MS, ms) : PAUSE_MS);
    if (side === 'floor') return { ms, event: got.eventAt - renamedAt, read: got.readAt - got.eventAt, parse: got.doneAt - got.readAt };
    return { ms };
  }

  for (let i = 0; i < WARMUP; i++) {
    await edit('ours', -1 - i);
    await edit('floor', -1 - i);
  }
  const samples = { ours: [], floor: [] };
  const deadline = performance.now() + budgetMs;
  let cut = false;
  for (let i = 0; i < edits; i++) {
    if (performance.now() > deadline) {
      cut = true; // a busy machine: report fewer edits rather than run on
      break;
    }
    for (const side of i % 2 ? ['floor', 'ours'] : ['ours', 'floor']) {
      const s = await edit(side, i);
      if (s) samples[side].push(s);
    }
  }

  ws.close();
  writer.close();
  await Promise.all([stop(server.child), stop(bare.child)]);
  for (const p of [ours, floor]) {
    rmSync(p.root, { recursive: true, force: true });
    dirs.delete(p.root);
  }
  return { taskCount, samples, cut };
}

// Nearest rank. With 40–60 edits a side, p99 is the largest or second largest sample.
const q = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};
const f1 = (n) => n.toFixed(1);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const began = performance.now();
const loadBefore = load();
console.log(`external edit → client event, beside a bare chokidar watch + read + JSON.parse of the same file (node flags: ${flags.join(' ') || 'defaults'})`);
for (const size of sizes) {
  let bytes;
  let label;
  if (size === 'fixture') {
    if (!existsSync(fixture)) {
      console.log(`  (fixture not found at ${fixture}; skipped)`);
      continue;
    }
    bytes = await readFile(fixture);
  } else {
    bytes = Buffer.from(JSON.stringify(generateTasksFile(Number(size)), null, 2));
  }
  const n = Number(process.env.BENCH_EDITS ?? (size === '1000' ? 50 : 40));
  // Time for the measured edits of one size; an idle machine needs about half of it.
  const budget = Number(process.env.BENCH_BUDGET_S ?? (bytes.length > 8 * 1048576 ? 50 : 18)) * 1000;
  const t0 = performance.now();
  const { taskCount, samples, cut } = await measure(size, bytes, n, budget);
  const ours = samples.ours.map((s) => s.ms);
  const floor = samples.floor.map((s) => s.ms);
  const mb = `${(bytes.length / 1048576).toFixed(1)} MB`;
  label = size === 'fixture' ? `the fixture (${taskCount} tasks in master, ${mb})` : `${Number(size) >= 1000 ? `${Number(size) / 1000}k` : size} tasks (${mb})`;
  if (ours.length === 0 || floor.length === 0) {
    console.log(`external edit → event, ${label}: no samples (ours ${ours.length}, floor ${floor.length})`);
    continue;
  }
  console.log(
    `external edit → event, ${label}: ours p50 ${f1(q(ours, 0.5))} / p99 ${f1(q(ours, 0.99))} / max ${f1(Math.max(...ours))} ms` +
      ` · floor p50 ${f1(q(floor, 0.5))} / p99 ${f1(q(floor, 0.99))} / max ${f1(Math.max(...floor))} ms` +
      ` · ratio ${(q(ours, 0.5) / q(floor, 0.5)).toFixed(2)} / ${(q(ours, 0.99) / q(floor, 0.99)).toFixed(2)} (target p50 ≤ 3×)`,
  );
  const med = (k) => f1(q(samples.floor.map((s) => s[k]), 0.5));
  console.log(
    `  ${ours.length}/${n} + ${floor.length}/${n} edits in ${f1((performance.now() - t0) / 1000)} s${cut ? ' (stopped at the time budget: the machine is busy)' : ''}; floor medians: rename → first event ${med('event')} ms, read ${med('read')} ms, JSON.parse ${med('parse')} ms`,
  );
}
console.log(`load average before ${loadBefore}, after ${load()} (2-core machine: above ~0.5 the numbers are noisy); ${f1((performance.now() - began) / 1000)} s`);
