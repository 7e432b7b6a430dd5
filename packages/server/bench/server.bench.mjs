// Benchmark of @taskmaster/server (run `pnpm build` first): latency, throughput, memory, reconnect cost.
import { fork, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject, openStore, taskOps } from '@taskmaster/store';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from '../dist/node-flags.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function tasksFile(n) {
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    title: `Task ${i + 1}: implement part ${i} of the feature`,
    description: 'A description of moderate length, like the ones Task Master writes for a task.',
    details: 'Implementation details: '.padEnd(300, 'x'),
    testStrategy: 'Unit tests and an integration test.',
    status: 'pending',
    priority: 'medium',
    dependencies: i > 0 ? [i] : [],
    subtasks: [
      { id: 1, title: 'First step', description: 'Do the first step', status: 'pending', dependencies: [] },
      { id: 2, title: 'Second step', description: 'Do the second step', status: 'pending', dependencies: [1] },
    ],
  }));
  return { master: { tasks, metadata: { created: new Date().toISOString(), updated: new Date().toISOString(), description: 'Tasks for master context' } } };
}

async function project(n) {
  const root = await mkdtemp(join(tmpdir(), 'tm-bench-'));
  await initProject(root);
  await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(tasksFile(n), null, 2));
  return root;
}

/** The server runs with the flags its launchers use; BENCH_NODE_FLAGS='' measures node's defaults instead. */
const serverFlags = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : [...SERVER_NODE_FLAGS];

/** Server processes still running: killed when this one exits, a crash included (else they hold `pnpm bench`'s output open). */
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startChild(root) {
  const child = fork(join(here, 'serve.mjs'), [root], { execArgv: ['--expose-gc', ...serverFlags, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const ready = await new Promise((resolve) => child.once('message', resolve));
  return {
    ...ready,
    commits: () => new Promise((resolve) => { child.once('message', (m) => resolve(m.commits)); child.send('commits'); }),
    mem: () => new Promise((resolve) => { child.once('message', (m) => resolve(m.mem)); child.send('mem'); }),
    close: () => new Promise((resolve) => { child.once('exit', resolve); child.send('close'); }),
  };
}

class Client {
  constructor(ws) {
    this.ws = ws;
    this.pending = new Map();
    this.nextId = 1;
    this.onEvent = () => {};
    this.bytes = 0;
    ws.on('message', (data) => {
      this.bytes += data.length;
      const value = JSON.parse(data.toString());
      for (const m of Array.isArray(value) ? value : [value]) {
        if (m.id !== undefined && this.pending.has(m.id)) {
          this.pending.get(m.id)(m);
          this.pending.delete(m.id);
        } else if (m.method) this.onEvent(m);
      }
    });
  }
  static async connect(url) {
    const ws = new WebSocket(url, { perMessageDeflate: process.env.BENCH_NO_DEFLATE ? false : true });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new Client(ws);
  }
  call(method, params) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }
  close() { this.ws.terminate(); }
}

const pct = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (n) => n.toFixed(2);

async function latency(server, clients, rounds) {
  const listeners = await Promise.all(Array.from({ length: clients }, () => Client.connect(server.wsUrl)));
  await Promise.all(listeners.map((c) => c.call('subscribe', { events: ['task.updated'] })));
  const writer = await Client.connect(server.wsUrl);
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const marker = `round ${r} ${Math.random()}`;
    const started = performance.now();
    const arrivals = listeners.map((c) => new Promise((resolve) => {
      c.onEvent = (m) => { if (m.params?.task?.details === marker) resolve(performance.now() - started); };
    }));
    void writer.call('task.update', { id: (r % 1000) + 1, details: marker });
    samples.push(...(await Promise.all(arrivals)));
    await new Promise((res) => setTimeout(res, 30)); // idle between updates: each is a lone update
  }
  for (const c of [...listeners, writer]) c.close();
  return { p50: pct(samples, 50), p90: pct(samples, 90), p99: pct(samples, 99), max: Math.max(...samples) };
}

async function throughput(server, writers, perWriter, inFlight) {
  const clients = await Promise.all(Array.from({ length: writers }, () => Client.connect(server.wsUrl)));
  const started = performance.now();
  let failed = 0;
  await Promise.all(clients.map(async (c, w) => {
    let sent = 0;
    const lane = async () => {
      while (sent < perWriter) {
        const i = sent++;
        const res = await c.call('task.update', { id: ((w * perWriter + i) % 1000) + 1, details: `w${w}-${i}` });
        if (res.error) failed++;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
  }));
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  return { perSecond: (writers * perWriter) / seconds, failed };
}

async function reconnectBytes(server) {
  const reader = await Client.connect(server.wsUrl);
  const { result } = await reader.call('tasks.list', { withSubtasks: false });
  reader.close();
  const writer = await Client.connect(server.wsUrl);
  for (let i = 0; i < 10; i++) await writer.call('task.update', { id: i * 7 + 1, status: i % 2 ? 'done' : 'in-progress' });
  writer.close();
  const back = await Client.connect(server.wsUrl);
  const before = back.bytes;
  const pull = await back.call('sync.pull', { since: result.revision, epoch: result.epoch });
  const bytes = back.bytes - before;
  back.close();
  return { bytes, full: pull.result.full, events: pull.result.events.length };
}

/** The floor under latency: one durable store transaction, without the server. */
async function storeAlone(n, rounds) {
  const root = await project(n);
  const store = await openStore(root);
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await store.transact((d) => taskOps.updateTask(d, 'master', (r % n) + 1, { details: `alone ${r}` }));
    samples.push(performance.now() - t0);
  }
  // The history compresses each commit's snapshot in the background; listing waits for it (else rm races it: ENOTEMPTY).
  await store.history.list();
  await rm(root, { recursive: true, force: true });
  return { p50: pct(samples, 50), p99: pct(samples, 99) };
}

const out = {};
/** BENCH_ONLY=latency|throughput|memory|fanout runs one part. */
const only = process.env.BENCH_ONLY;
if (!only || only === 'latency' || only === 'throughput') {
  const root = await project(1000);
  const server = await startChild(root);
  if (!only || only === 'latency') {
    out['store.transact alone, one update (ms)'] = await storeAlone(1000, 100);
    out['latency 10 clients (ms)'] = await latency(server, 10, 500);
    out['latency 100 clients (ms)'] = await latency(server, 100, 100);
  }
  if (!only || only === 'throughput') {
    const before = await server.commits();
    out['durable updates/s (10 writers x 50 in flight)'] = await throughput(server, 10, 1000, 50);
    out['durable updates/s (10 writers x 200 in flight)'] = await throughput(server, 10, 2000, 200);
    const after = await server.commits();
    const count = after.count - before.count;
    out['  commits during the throughput run'] = { commits: count, opsPerCommit: (after.ops - before.ops) / count, msPerCommit: (after.ms - before.ms) / count };
  }
  await server.close();
  await rm(root, { recursive: true, force: true });
}
if (!only || only === 'memory') {
  const root = await project(10_000);
  const server = await startChild(root);
  const mb = (m) => ({ rss: m.rss / 1048576, heapUsed: m.heapUsed / 1048576, heapTotal: m.heapTotal / 1048576, external: m.external / 1048576, anon: m.anon / 1048576, file: m.file / 1048576 });
  out['memory, 10k tasks, started (MB)'] = mb(await server.mem());
  const clients = await Promise.all(Array.from({ length: 100 }, () => Client.connect(server.wsUrl)));
  await Promise.all(clients.map((c) => c.call('subscribe', { events: ['task.*'] })));
  out['memory, 10k tasks, 100 clients (MB)'] = mb(await server.mem());
  const writer = await Client.connect(server.wsUrl);
  for (let i = 0; i < Number(process.env.BENCH_COMMITS ?? 20); i++) await writer.call('task.update', { id: i + 1, title: `Changed ${i}` });
  out['memory, 10k tasks, 100 clients, after 20 commits (MB)'] = mb(await server.mem());
  for (const c of [...clients, writer]) c.close();
  out['reconnect after 10 changes at 10k tasks'] = await reconnectBytes(server);
  const t0 = performance.now();
  const text = JSON.stringify(tasksFile(10_000), null, 2);
  out['JSON.stringify of a 10k-task file (ms)'] = { ms: performance.now() - t0, bytes: text.length };
  await server.close();
  await rm(root, { recursive: true, force: true });
}

for (const [name, value] of Object.entries(out)) {
  console.log(`${name.padEnd(48)} ${Object.entries(value).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join('  ')}`);
}
console.log(`server node flags: ${serverFlags.join(' ') || '(node defaults)'}`);
console.log('targets: p99 <= 15 ms at 10 clients; >= 5,000 updates/s; RSS <= 80 MB; reconnect <= 20 KB');
// Its own script (own client process, own servers): 1,000 subscribers with large events, and a bare ws relay anchor.
if (!only || only === 'fanout') spawnSync(process.execPath, [join(here, 'fan-out.bench.mjs')], { stdio: 'inherit' });
