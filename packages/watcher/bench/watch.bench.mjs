// External edit → onChange latency at the default debounce.
// Each edit is a rename-write (temp file + rename), timed from the rename.
// Run after `pnpm build`: node bench/watch.bench.mjs
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { watchTasks } from '../dist/index.js';

const FIXTURE = process.env.TASKMASTER_FIXTURE ?? fileURLToPath(new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url));
const EDITS = Number(process.env.EDITS ?? 100);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(label, initialText) {
  const root = await mkdtemp(join(tmpdir(), 'tm-watcher-bench-'));
  const dir = join(root, '.taskmaster', 'tasks');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'tasks.json');
  await writeFile(file, initialText);
  const data = JSON.parse(initialText);
  const target = Object.values(data)[0].tasks[0];

  let resolveChange;
  const watcher = watchTasks(file, (change) => resolveChange?.(change), {
    onProblem: (p) => console.error(`problem: ${p.message}`),
  });
  await watcher.ready;

  const latencies = [];
  let events = 0;
  for (let i = 0; i < EDITS; i++) {
    target.status = i % 2 === 0 ? 'review' : 'pending';
    const tmp = `${file}.tmp-bench`;
    await writeFile(tmp, JSON.stringify(data, null, 2));
    const seen = new Promise((r) => (resolveChange = r));
    const start = performance.now();
    await rename(tmp, file);
    const change = await seen;
    latencies.push(performance.now() - start);
    events += change.changes.length;
    await sleep(20);
  }
  await watcher.close();
  await rm(root, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const kb = Math.round(Buffer.byteLength(initialText) / 1024);
  console.log(
    `${label.padEnd(22)} ${String(kb).padStart(5)} KB  edits=${EDITS}  events=${events}  ` +
      `p50=${pct(latencies, 50).toFixed(1)} ms  p99=${pct(latencies, 99).toFixed(1)} ms  ` +
      `mean=${mean.toFixed(1)} ms  max=${latencies.at(-1).toFixed(1)} ms`,
  );
}

const fixture = await readFile(FIXTURE, 'utf8');
const small = JSON.stringify({ master: { tasks: [{ id: 1, title: 'One', status: 'pending' }] } }, null, 2);
console.log(`watchTasks: rename-write → onChange latency (default debounce 30 ms, node ${process.version})`);
await measure('fixture (9 tags)', fixture);
await measure('small file', small);
