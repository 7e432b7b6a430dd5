// Fan-out benchmark (run `pnpm build` first): 1,000 subscribers, large (>1 KB) events,
// permessage-deflate on as shipped. Every event must arrive (or be covered by a later
// sync.snapshot, the server's resync notice) and no reader may be dropped.
// BENCH_FANOUT_CLIENTS, BENCH_FANOUT_EVENTS and BENCH_NO_RELAY=1 change the run.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject } from '@taskmaster/store';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from '../dist/node-flags.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 1000);
const EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 150);
const IN_FLIGHT = 10;
const DEADLINE_MS = 30_000;

// Everything started here is ended here, even when a run fails or on Ctrl-C.
const children = new Set();
const dirs = new Set();
process.on('exit', () => {
  for (const proc of children) proc.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function child(script, args, env = {}) {
  const proc = fork(join(here, script), args, { execArgv: ['--expose-gc', ...SERVER_NODE_FLAGS], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return new Promise((resolve) =>
    proc.once('message', (ready) =>
      resolve({
        ...ready,
        mem: () => new Promise((r) => { proc.once('message', (m) => r(m.mem)); proc.send('mem'); }),
        close: () => new Promise((r) => { proc.once('exit', r); proc.send('close'); }),
      }),
    ),
  );
}

/** A subscriber that counts the markers it got and the newest snapshot revision. */
function reader(url) {
  const ws = new WebSocket(url, { perMessageDeflate: true });
  const r = { ws, markers: new Set(), snapshot: -1, closed: false };
  ws.on('message', (data) => {
    const value = JSON.parse(data.toString());
    for (const m of Array.isArray(value) ? value : [value]) {
      if (m.method === 'task.updated') r.markers.add(m.params.task.details.slice(0, 8));
      else if (m.method === 'sync.snapshot') r.snapshot = Math.max(r.snapshot, m.params.revision);
      else if (m.method === 'relay') r.markers.add(m.params.details.slice(0, 8));
    }
  });
  ws.on('close', () => (r.closed = true));
  return new Promise((resolve, reject) => { ws.once('open', () => resolve(r)); ws.once('error', reject); });
}

function call(ws, pending, method, params) {
  const id = pending.next++;
  return new Promise((resolve) => { pending.set(id, resolve); ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params })); });
}

async function run(server, relay) {
  const readers = [];
  for (let i = 0; i < CLIENTS; i += 100) readers.push(...(await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, () => reader(server.wsUrl)))));
  const writer = new WebSocket(server.wsUrl, { perMessageDeflate: true });
  await new Promise((resolve) => writer.once('open', resolve));
  const pending = new Map();
  pending.next = 1;
  writer.on('message', (data) => { const m = JSON.parse(data.toString()); pending.get(m.id)?.(m); pending.delete(m.id); });
  if (!relay) await Promise.all(readers.map((r) => new Promise((resolve) => { r.ws.once('message', resolve); r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'subscribe', params: { events: ['task.*'] } })); })));
  const before = await server.mem();

  const sent = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < EVENTS) {
      const i = next++;
      const marker = `m${String(i).padStart(6, '0')} `.slice(0, 8);
      const details = `${marker}${randomBytes(1024).toString('hex')}`; // ~2 KB, half of it incompressible
      if (relay) {
        writer.send(JSON.stringify({ jsonrpc: '2.0', method: 'relay', params: { details } }));
        sent.push({ marker, revision: Infinity });
        await new Promise((r) => setTimeout(r, 2));
      } else {
        const res = await call(writer, pending, 'task.update', { id: (i % 50) + 1, details });
        sent.push({ marker, revision: res.result?.revision ?? Infinity });
      }
    }
  }));
  const missing = (r) => sent.filter((s) => !r.markers.has(s.marker) && s.revision > r.snapshot).length;
  while (performance.now() - started < DEADLINE_MS && readers.some((r) => !r.closed && missing(r) > 0)) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - started) / 1000;
  const peakDuring = await server.mem();
  const received = readers.reduce((n, r) => n + r.markers.size, 0);
  const out = {
    clients: CLIENTS,
    eventsSent: sent.length * CLIENTS,
    received,
    coveredBySnapshot: readers.reduce((n, r) => n + sent.filter((s) => !r.markers.has(s.marker) && s.revision <= r.snapshot).length, 0),
    lost: readers.reduce((n, r) => n + missing(r), 0),
    readersDropped: readers.filter((r) => r.closed).length,
    seconds,
    rssMB: peakDuring.rss / 1048576,
    rssAnonMB: peakDuring.anon / 1048576,
    peakRssMB: peakDuring.peak / 1048576,
    rssBeforeMB: before.rss / 1048576,
  };
  for (const r of readers) r.ws.terminate();
  writer.terminate();
  return out;
}

function tasksFile(n) {
  const tasks = Array.from({ length: n }, (_, i) => ({ id: i + 1, title: `Task ${i + 1}`, description: 'A task', details: '', testStrategy: '', status: 'pending', priority: 'medium', dependencies: [], subtasks: [] }));
  return { master: { tasks, metadata: { created: new Date().toISOString(), updated: new Date().toISOString(), description: 'Tasks for master context' } } };
}

const root = await mkdtemp(join(tmpdir(), 'tm-bench-fanout-'));
dirs.add(root);
await initProject(root);
await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(tasksFile(50), null, 2));
const results = {};
const server = await child('serve.mjs', [root], { BENCH_MAX_CONNECTIONS: String(CLIENTS + 10) });
results[`sync server, ${CLIENTS} subscribers, deflate on`] = await run(server, false);
await server.close();
await rm(root, { recursive: true, force: true });
if (!process.env.BENCH_NO_RELAY) {
  const relay = await child('relay.mjs', []);
  results[`bare ws relay (anchor), same clients`] = await run(relay, true);
  await relay.close();
}
for (const [name, value] of Object.entries(results)) {
  console.log(`${name.padEnd(48)} ${Object.entries(value).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v}`).join('  ')}`);
}
console.log('targets: lost=0 and readersDropped=0 for the sync server; its RSS bounded (not growing with clients x events)');
