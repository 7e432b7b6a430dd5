// Store benchmark: prints numbers (not a test). Runs against dist/: build first.
//   node bench/store.bench.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureText = fs.readFileSync(path.resolve(here, '../../../../shared/fixtures/taskmaster-repo-tasks.json'), 'utf8');
const temps = [];

function project(text) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-store-bench-'));
  temps.push(root);
  fs.mkdirSync(path.join(root, '.taskmaster', 'tasks'), { recursive: true });
  fs.writeFileSync(path.join(root, '.taskmaster', 'tasks', 'tasks.json'), text);
  return root;
}

/** A one-tag file of `n` real tasks from the fixture (about 2 KB each, subtasks left out), renumbered. */
function fileOf(n) {
  const source = Object.values(JSON.parse(fixtureText)).flatMap((t) => t.tasks);
  const tasks = Array.from({ length: n }, (_, i) => ({ ...source[i % source.length], id: i + 1, dependencies: [], subtasks: [] }));
  return JSON.stringify({ master: { tasks, metadata: { created: new Date().toISOString(), updated: new Date().toISOString() } } }, null, 2);
}

/** A one-tag file of `n` short tasks (about 400 B each), as a freshly parsed PRD gives. */
function smallFileOf(n) {
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    title: `Task ${i + 1}: implement part ${i + 1}`,
    description: 'Implement this part of the feature and wire it into the rest.',
    status: 'pending',
    dependencies: i > 0 ? [i] : [],
    priority: 'medium',
    details: 'Follow the existing module layout; keep the public API small.',
    testStrategy: 'Unit tests for the happy path and the error cases.',
    subtasks: [],
  }));
  return JSON.stringify({ master: { tasks, metadata: { created: new Date().toISOString(), updated: new Date().toISOString() } } }, null, 2);
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `median ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms (n=${s.length})`;
}

async function timeEach(runs, fn) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function readBench() {
  const root = project(fixtureText);
  const stores = await Promise.all(Array.from({ length: 40 }, () => openStore(root)));
  // A fresh store each run, so validation is not skipped by the "already validated" cache.
  const samples = await timeEach(40, (i) => stores[i].read());
  console.log(`read+validate fixture (${(fixtureText.length / 1e6).toFixed(1)} MB, cold store): ${stats(samples.slice(5))}`);
  const warm = stores[0];
  console.log(`read of an unchanged file (warm store):          ${stats(await timeEach(40, () => warm.read()))}`);
}

async function updateBench(label, text, tag, ids, runs) {
  const root = project(text);
  const store = await openStore(root);
  await store.read();
  const samples = await timeEach(runs, (i) => store.update(ids[i % ids.length], { status: i % 2 ? 'done' : 'in-progress' }, { tag }));
  console.log(`durable update, ${label} (${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB): ${stats(samples.slice(5))}`);
}

async function concurrentBench(processes, perProcess) {
  const root = project(fileOf(1000));
  const script = path.join(here, 'update-loop.mjs');
  const t = performance.now();
  await Promise.all(
    Array.from({ length: processes }, (_, p) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, root, String(p), String(perProcess)], { stdio: 'inherit' });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
      }),
    ),
  );
  const seconds = (performance.now() - t) / 1000;
  console.log(`${processes} processes × ${perProcess} updates at 1000 tasks: ${((processes * perProcess) / seconds).toFixed(0)} updates/s (incl. process start)`);
}

try {
  await readBench();
  await updateBench('1000 short tasks', smallFileOf(1000), 'master', [1, 500, 1000], 200);
  await updateBench('1000 real-size tasks', fileOf(1000), 'master', [1, 500, 1000], 200);
  await updateBench('10000 real-size tasks', fileOf(10_000), 'master', [1, 5000, 10_000], 40);
  await updateBench('the fixture (9 tags, 182 tasks, 914 subtasks)', fixtureText, 'master', [1, 2, 3], 100);
  await concurrentBench(4, 100);
} finally {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
}
