// What a commit costs, each figure beside its anchors (issue 11), in one run (`pnpm build` first):
//
// 1. update → other clients, lone updates: a writer changes the title of a random task; the
//    time from its send to each other client's receipt (message parsed, change found), p50/p99
//    over all clients and updates, and the first other client's p50. Side by side, rounds
//    interleaved (ours, relay, Yjs, …), so machine noise hits all three alike; the same task
//    in a round for all three. The writers live in a process of their own (bench/writers.mjs,
//    which says why), the receivers in this one; the send's time and the receipts are read on
//    the monotonic clock both share:
//    - ours: our server (bench/serve.mjs, a child process with SERVER_NODE_FLAGS), the writer
//      sends `task.update`, the other clients are subscribed to `task.*` with `patches: true`,
//      as the SDK's replicas are, and get `task.patched` (what changed, not the whole task);
//      the writer waits for its reply (durable) and a pause before the next update;
//    - ws relay: a bare `ws` server with our permessage-deflate settings (bench/relay.mjs)
//      forwarding the writer's message to every other client; the writer sends what our
//      clients receive (a `task.patched` notification carrying the new title);
//    - Yjs: @y/websocket-server's own server (tests/bench-peers/yjs-server.mjs) holding the
//      same tasks as Y.Maps; the writer holds the synced document and sets the task's title,
//      the others decode the update the server broadcasts and find the new title in it.
// 2. back-to-back updates at the first size: the next update goes out as soon as every other
//    client has the previous one (no pause, no wait for the reply), beside the relay (and Yjs).
// 3. durable acknowledged updates/s: W writers × K in flight each, replies counted over a
//    window: ours beside the rewrite floor (bench/floor-commit.mjs, a child process: the same
//    requests over the same kind of socket; with group commit, temp file + fsync + rename +
//    directory fsync of a file of the same size per batch, then the batch's replies).
// 4. RssAnon (/proc/<pid>/status) of the server child: with the clients connected, before
//    and after N updates at full speed (K in flight; for Yjs, "acknowledged" is the first other
//    client having it), a few samples along the way, and after a forced GC (read 500 ms later,
//    once V8 has unmapped the pages it freed), and again 2 s later, once background work (our
//    history's compression of the last snapshots) has ended; the same for Yjs.
//
// Env: BENCH_SIZES ("tasks x clients", default "1000x10,10000x100"; BENCH_50K=1 adds
// "50000x100", about 30 s more when idle, its long texts cut to fit the store's 64 MB limit),
// BENCH_ROUNDS (lone updates a side per size; 150 at 1k, 60 at 10k, 25 above), BENCH_PAUSE_MS
// (20), BENCH_B2B_ROUNDS (300; 0 skips), BENCH_BUDGET_S (seconds of lone, and of back-to-back,
// updates per size before stopping early; 30 at 1k, 60 at 10k, 120 above), BENCH_TPUT_SIZES
// ("1000,10000"), BENCH_TPUT_S (5; two windows a side), BENCH_WRITERS (10), BENCH_IN_FLIGHT
// (20), BENCH_MEM_SIZES ("1000x10,10000x100"), BENCH_MEM_UPDATES (2000), BENCH_MEM_BUDGET_S
// (120 a side), BENCH_ONLY (any of latency,b2b,throughput,memory), BENCH_NODE_FLAGS (ours,
// relay, floor; default SERVER_NODE_FLAGS), BENCH_PEER_NODE_FLAGS (Yjs; default the same). Every
// child (ours and the anchors alike) runs with SERVER_ENV.
// About 2 minutes on 2 cores with today's server; most of it is the memory part at 10k × 100.
import { fork } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject } from '@taskmaster/store';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../dist/node-flags.js';
import { generateTasksFile, rng } from './gen-tasks.mjs';
import { jsonClient } from './json-client.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const env = process.env;
const flagsFrom = (v, dflt) => (v !== undefined ? v.split(' ').filter(Boolean) : [...dflt]);
const flags = flagsFrom(env.BENCH_NODE_FLAGS, SERVER_NODE_FLAGS);
const peerFlags = flagsFrom(env.BENCH_PEER_NODE_FLAGS, flags);
const parseSizes = (s) => s.split(',').filter(Boolean).map((x) => { const [tasks, clients] = x.split('x').map(Number); return { tasks, clients: clients || 10 }; });
const SIZES = parseSizes(env.BENCH_SIZES ?? `1000x10,10000x100${env.BENCH_50K ? ',50000x100' : ''}`);
const PAUSE_MS = Number(env.BENCH_PAUSE_MS ?? 20);
const B2B_ROUNDS = Number(env.BENCH_B2B_ROUNDS ?? 300);
const TPUT_SIZES = (env.BENCH_TPUT_SIZES ?? '1000,10000').split(',').filter(Boolean).map(Number);
const TPUT_S = Number(env.BENCH_TPUT_S ?? 5);
const WRITERS = Number(env.BENCH_WRITERS ?? 10);
const IN_FLIGHT = Number(env.BENCH_IN_FLIGHT ?? 20);
const MEM_SIZES = parseSizes(env.BENCH_MEM_SIZES ?? '1000x10,10000x100');
const MEM_UPDATES = Number(env.BENCH_MEM_UPDATES ?? 2000);
const MEM_BUDGET_S = Number(env.BENCH_MEM_BUDGET_S ?? 120);
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;
const runs = (part) => !ONLY || ONLY.has(part);
const BUDGET_S = Number(env.BENCH_BUDGET_S ?? 0); // 0: per size, below
const budgetFor = (tasks) => (BUDGET_S || (tasks <= 1000 ? 30 : tasks <= 10_000 ? 60 : 120)) * 1000;
const roundsFor = (tasks) => Number(env.BENCH_ROUNDS ?? (tasks <= 1000 ? 150 : tasks <= 10_000 ? 60 : 25));
const sizeKey = (s) => `${s.tasks}x${s.clients}`;
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- everything started here is ended here, even on Ctrl-C ----------------------------
const children = new Set();
const dirs = new Set();
function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** A child process (fork) that sends `{ ready, wsUrl }` and answers 'mem' / 'commits' / 'close'. */
async function start(script, args, execArgv, extraEnv = {}) {
  const child = fork(script, args, { execArgv, env: { ...SERVER_ENV, ...env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
  const ask = (msg, key) => new Promise((resolve) => { const on = (m) => { if (m[key]) { child.off('message', on); resolve(m[key]); } }; child.on('message', on); child.send(msg); });
  return {
    ...ready,
    pid: child.pid,
    mem: () => ask('mem', 'mem'),
    commits: () => ask('commits', 'commits'),
    /** RssAnon now, without a GC: what the process holds under load. */
    anon: () => Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await Promise.race([exited, sleep(5000)]);
      child.kill('SIGKILL');
    },
  };
}

async function project(file, prefix) {
  const root = await mkdtemp(join(tmpdir(), prefix));
  dirs.add(root);
  await initProject(root);
  const tasksFile = join(root, '.taskmaster', 'tasks', 'tasks.json');
  await writeFile(tasksFile, file);
  return { root, tasksFile };
}
function removeProject(p) {
  rmSync(p.root, { recursive: true, force: true });
  dirs.delete(p.root);
}

// ---- clients ------------------------------------------------------------------------------
/** Milliseconds on the monotonic clock every process on the machine shares: the writers' process stamps its sends with it. */
const hr = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Markers in flight to a system's receivers. `expect(marker, n)` resolves with the times
 * (hr()) at which `n` distinct receivers saw it, or with what arrived by the timeout.
 */
function arrivals(timeoutMs) {
  const waits = new Map();
  return {
    seen(marker, receiver) {
      const w = waits.get(marker);
      if (!w || w.who.has(receiver)) return;
      w.who.add(receiver);
      w.times.push(hr());
      if (w.times.length === w.n) { waits.delete(marker); clearTimeout(w.timer); w.resolve(w.times); }
    },
    expect(marker, n) {
      let resolve;
      const done = new Promise((r) => (resolve = r));
      const w = { n, who: new Set(), times: [], resolve };
      w.timer = setTimeout(() => { waits.delete(marker); resolve(w.times); }, timeoutMs);
      waits.set(marker, w);
      return { done };
    },
  };
}

/**
 * The three systems' writers, in a process of their own (bench/writers.mjs says why).
 * `update(system, id, title)` sends; its `result(withReply)` asks, once the update has
 * arrived, for the send's time (the writer's hr()) and, `withReply`, ours's reply.
 */
async function startWriters(urls) {
  // Clients, not servers: the bench's own environment, without SERVER_ENV's malloc settings.
  const child = fork(join(here, 'writers.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const pending = new Map();
  let seq = 0;
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`writers.mjs exited (${code}) before it was ready`)));
    child.send({ connect: urls });
  });
  child.on('message', (m) => {
    pending.get(m.seq)?.(m);
    pending.delete(m.seq);
  });
  return {
    update(system, id, title) {
      const at = ++seq;
      child.send({ seq: at, system, id, title });
      return {
        result: (withReply) => new Promise((resolve) => {
          pending.set(at, resolve);
          child.send({ ask: at, reply: withReply });
        }),
      };
    },
    close: () => child.kill('SIGKILL'),
  };
}

/** Ours: `clients` subscribers; the writer is in the writers' process. */
async function oursSystem(url, clients, timeoutMs, writers) {
  const a = arrivals(timeoutMs);
  const receivers = [];
  for (let i = 0; i < clients; i += 50) receivers.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, (_, k) => jsonClient(url, (title) => a.seen(title, i + k))))));
  // As the SDK's replicas subscribe: updates come as only what changed (task.patched).
  await Promise.all(receivers.map((c) => c.call('subscribe', { events: ['task.*'], patches: true })));
  return { name: 'ours', a, clients, update: (id, title) => writers.update('ours', id, title), close: () => receivers.forEach((c) => c.close()) };
}

/** The relay: the writer sends the notification our clients get (`task.patched`: the new title); the relay forwards it. */
async function relaySystem(url, clients, timeoutMs, writers) {
  const a = arrivals(timeoutMs);
  const receivers = [];
  for (let i = 0; i < clients; i += 50) receivers.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, (_, k) => jsonClient(url, (title) => a.seen(title, i + k))))));
  return { name: 'relay', a, clients, update: (id, title) => writers.update('relay', id, title), close: () => receivers.forEach((c) => c.close()) };
}

/** Yjs: receivers decoding the broadcast updates; the writer, holding the synced document, is in the writers' process. */
async function yjsSystem(peer, url, clients, timeoutMs, writers) {
  const a = arrivals(timeoutMs);
  const receivers = [];
  for (let i = 0; i < clients; i += 50) receivers.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, (_, k) => peer.connectReceiver(url, (v) => a.seen(v, i + k))))));
  return { name: 'Yjs', a, clients, update: (id, title) => writers.update('Yjs', id, title), close: () => receivers.forEach((c) => c.close()) };
}

// ---- measures -----------------------------------------------------------------------------
/** One update seen by every other client: their latencies (ms from the writer's send), and the reply awaited when `waitReply`. */
async function round(sys, id, marker, waitReply) {
  const e = sys.a.expect(marker, sys.clients);
  const sent = sys.update(id, marker);
  const seenAt = await e.done;
  const { t0, reply } = await sent.result(waitReply && sys.name === 'ours');
  if (reply?.error) sys.errors = (sys.errors ?? 0) + 1;
  return seenAt.map((t) => t - t0);
}

const q = (values, p) => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};
const ms = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const x = (a, b) => `${(a / b).toFixed(2)}×`;
const MB = (b) => (b / 1048576).toFixed(1);
const k = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const summary = [];
/** The server's own account of its commits between two readings (bench/serve.mjs counts the `commit` log lines). */
const commitStats = (a, b) => {
  const count = b.count - a.count;
  return count ? `${count} commits, ${((b.ops - a.ops) / count).toFixed(1)} updates/commit, ${((b.ms - a.ms) / count).toFixed(1)} ms/commit (the server's own timing)` : 'no commits logged';
};
const say = (line) => { console.log(line); };

async function fullSpeed(label, server, sys, updates, inFlight, taskCount, budgetMs) {
  const r = rng(7);
  const deadline = now() + budgetMs;
  let sent = 0;
  let done = 0;
  let errors = 0;
  const every = Math.max(1, Math.floor(updates / 5));
  const samples = [];
  const t0 = now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (sent < updates && now() < deadline) {
      const i = sent++;
      const id = 1 + Math.floor(r() * taskCount);
      const title = `Full speed ${i} ${label}`;
      if (sys.name === 'ours') {
        const { reply } = await sys.update(id, title).result(true);
        if (reply.error) errors++;
      } else {
        const e = sys.a.expect(title, 1);
        const sent = sys.update(id, title);
        await e.done;
        await sent.result(false);
      }
      if (++done % every === 0) samples.push(server.anon());
    }
  }));
  return { samples, seconds: (now() - t0) / 1000, errors, done };
}

// The store refuses files over 64 MB (StoreOptions.maxBytes, not a server option): 50k
// generated tasks are 70 MB, so above that their long texts are cut (details to 200
// characters, test strategies to 100, subtasks' details to 100), the same for every system.
const STORE_MAX_BYTES = 64 * 1048576;
function tasksText(n) {
  const data = generateTasksFile(n);
  let text = JSON.stringify(data, null, 2);
  let cut = false;
  if (Buffer.byteLength(text) > STORE_MAX_BYTES * 0.95) {
    for (const t of data.master.tasks) {
      t.details = t.details.slice(0, 200);
      t.testStrategy = t.testStrategy.slice(0, 100);
      for (const st of t.subtasks) st.details = st.details.slice(0, 100);
    }
    text = JSON.stringify(data, null, 2);
    cut = true;
  }
  return { data, text, cut };
}

// ---- the run ------------------------------------------------------------------------------
const began = now();
const loadBefore = load();
say(`commit bench: node ${process.version}, ${cpus().length} cores; ours/relay/floor flags: ${flags.join(' ') || 'defaults'}; Yjs flags: ${peerFlags.join(' ') || 'defaults'}`);
say(`load average before: ${loadBefore}`);
const peerDir = join(fileURLToPath(import.meta.resolve('@taskmaster/bench-peers/package.json')), '..');
const versionOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const peerPkg = versionOf(peerDir);
const peer = await import('@taskmaster/bench-peers/yjs-tasks');
const peerScript = fileURLToPath(import.meta.resolve('@taskmaster/bench-peers/yjs-server'));
const ywsVersion = versionOf(join(peerDir, 'node_modules/@y/websocket-server')).version;
const yjsVersion = versionOf(join(peerDir, 'node_modules/yjs')).version;
say(`Yjs peer: @y/websocket-server ${ywsVersion} (asked: ${peerPkg.dependencies['@y/websocket-server']}), yjs ${yjsVersion}`);

const latencySizes = runs('latency') || runs('b2b') || runs('memory') ? [...SIZES, ...MEM_SIZES.filter((m) => !SIZES.some((s) => sizeKey(s) === sizeKey(m)))] : [];
for (const size of latencySizes) {
  const doLatency = runs('latency') && SIZES.some((s) => sizeKey(s) === sizeKey(size));
  const doB2b = runs('b2b') && B2B_ROUNDS > 0 && sizeKey(size) === sizeKey(SIZES[0]);
  const doMem = runs('memory') && MEM_SIZES.some((s) => sizeKey(s) === sizeKey(size));
  if (!doLatency && !doB2b && !doMem) continue;
  const t0 = now();
  const { data, text, cut } = tasksText(size.tasks);
  const tasks = data.master.tasks;
  const ours = await project(text, 'tm-bench-commit-');
  const label = `${k(size.tasks)} tasks (${MB(Buffer.byteLength(text))} MB${cut ? ', texts cut to fit 64 MB' : ''}) × ${size.clients} clients`;
  const timeoutMs = 10_000 + size.tasks / 5;
  const server = await start(join(here, 'serve.mjs'), [ours.root], ['--expose-gc', ...flags], { BENCH_MAX_CONNECTIONS: String(size.clients + 20) });
  const relay = await start(join(here, 'relay.mjs'), [], ['--expose-gc', ...flags]);
  const yjs = await start(peerScript, [ours.tasksFile], ['--expose-gc', ...peerFlags]);
  const writers = await startWriters({ ours: server.wsUrl, relay: relay.wsUrl, yjs: yjs.wsUrl, tasks: size.tasks });
  const systems = {
    ours: await oursSystem(server.wsUrl, size.clients, timeoutMs, writers),
    relay: await relaySystem(relay.wsUrl, size.clients, timeoutMs, writers),
    Yjs: await yjsSystem(peer, yjs.wsUrl, size.clients, timeoutMs, writers),
  };
  const connected = { ours: server.anon(), Yjs: yjs.anon() };
  say(`\n== ${label}: started and connected in ${((now() - t0) / 1000).toFixed(1)} s; RssAnon connected: ours ${MB(connected.ours)} MB, Yjs ${MB(connected.Yjs)} MB`);
  const r = rng(size.tasks);
  let n = 0;
  const missed = { ours: 0, relay: 0, Yjs: 0 };
  const collect = (name, times) => { missed[name] += size.clients - times.length; return times; };

  if (doLatency) {
    const rounds = roundsFor(size.tasks);
    const lat = { ours: [], relay: [], Yjs: [] };
    // The first other client's receipt of each update: the system's own work before its fan-out, and one hop.
    const first = { ours: [], relay: [], Yjs: [] };
    // From the first other client's receipt to the last's: the fan-out as the receivers saw it.
    const spread = { ours: [], relay: [], Yjs: [] };
    const order = ['ours', 'relay', 'Yjs'];
    const c0 = await server.commits();
    const deadline = now() + budgetFor(size.tasks);
    let done = 0;
    for (let i = -3; i < rounds && now() < deadline; i++, done = Math.max(0, i)) { // 3 warm-up rounds
      const id = 1 + Math.floor(r() * size.tasks);
      const rot = order.map((_, j) => order[(i + 3 + j) % 3]);
      for (const name of rot) {
        const times = collect(name, await round(systems[name], id, `Lone ${n++} ${Math.random().toString(36).slice(2)}`, true));
        if (i >= 0) lat[name].push(...times);
        if (i >= 0 && times.length > 0) first[name].push(Math.min(...times));
        if (i >= 0 && times.length > 1) spread[name].push(Math.max(...times) - Math.min(...times));
        await sleep(PAUSE_MS);
      }
    }
    const p = (name, pp) => q(lat[name], pp);
    const line = `update → other clients, ${label}, ${done}${done < rounds ? ` of ${rounds} (time budget)` : ''} lone updates a side (${PAUSE_MS} ms apart): ` +
      `ours p50 ${ms(p('ours', 0.5))} / p99 ${ms(p('ours', 0.99))} ms · ws relay ${ms(p('relay', 0.5))} / ${ms(p('relay', 0.99))} ms · Yjs ${ms(p('Yjs', 0.5))} / ${ms(p('Yjs', 0.99))} ms` +
      ` · ours/relay ${x(p('ours', 0.5), p('relay', 0.5))} p50, ${x(p('ours', 0.99), p('relay', 0.99))} p99 · ours/Yjs ${x(p('ours', 0.5), p('Yjs', 0.5))} p50, ${x(p('ours', 0.99), p('Yjs', 0.99))} p99`;
    say(line);
    const f = (name) => ms(q(first[name], 0.5));
    say(`  first other client, p50: ours ${f('ours')} ms · ws relay ${f('relay')} ms · Yjs ${f('Yjs')} ms (the rest of the p50 is the fan-out to ${size.clients - 1} sockets and the receivers' parsing)`);
    const s = (name) => ms(q(spread[name], 0.5));
    say(`  first to last other client, p50: ours ${s('ours')} ms · ws relay ${s('relay')} ms · Yjs ${s('Yjs')} ms`);
    say(`  ours: ${commitStats(c0, await server.commits())}`);
    summary.push(line);
  }

  if (doB2b) {
    const b2b = { ours: [], relay: [], Yjs: [] };
    const block = 25;
    const c0 = await server.commits();
    const deadline = now() + budgetFor(size.tasks);
    const count = { ours: 0, relay: 0, Yjs: 0 };
    // Blocks of updates a side, alternating; at the time budget it stops after a whole cycle.
    for (let done = 0; done < B2B_ROUNDS && now() < deadline; done += block) {
      for (const name of ['ours', 'relay', 'Yjs']) {
        for (let i = 0; i < Math.min(block, B2B_ROUNDS - done); i++) {
          count[name]++;
          const id = 1 + Math.floor(r() * size.tasks);
          b2b[name].push(...collect(name, await round(systems[name], id, `B2b ${n++} ${Math.random().toString(36).slice(2)}`, false)));
        }
        await sleep(200); // let ours finish its writes before the next side's block
      }
    }
    const p = (name, pp) => q(b2b[name], pp);
    const line = `back-to-back updates, ${label}, ${count.ours}${count.ours < B2B_ROUNDS ? ` of ${B2B_ROUNDS} (time budget)` : ''} a side (next sent when all have the last): ` +
      `ours p50 ${ms(p('ours', 0.5))} / p99 ${ms(p('ours', 0.99))} ms · ws relay ${ms(p('relay', 0.5))} / ${ms(p('relay', 0.99))} ms · Yjs ${ms(p('Yjs', 0.5))} / ${ms(p('Yjs', 0.99))} ms` +
      ` · ours/relay ${x(p('ours', 0.5), p('relay', 0.5))} p50 · ours/Yjs ${x(p('ours', 0.5), p('Yjs', 0.5))} p50`;
    say(line);
    say(`  ours: ${commitStats(c0, await server.commits())}`);
    summary.push(line);
  }

  if (doMem) {
    const out = {};
    for (const [name, child] of [['ours', server], ['Yjs', yjs]]) {
      await sleep(300);
      const before = child.anon();
      const c0 = name === 'ours' ? await server.commits() : undefined;
      const run = await fullSpeed(name, child, systems[name], MEM_UPDATES, IN_FLIGHT, size.tasks, MEM_BUDGET_S * 1000);
      await sleep(300);
      const after = child.anon();
      const gced = await child.mem();
      // Read again once background work has ended (ours: the history compressing the stream's snapshots, which
      // it starts 500 ms after the last commit): what the process keeps, beside what the run still owed.
      await sleep(2000);
      const settled = await child.mem();
      out[name] = { before, after, gced, settled, run, commits: c0 && commitStats(c0, await server.commits()) };
    }
    const show = (o) => `${MB(o.before)} → ${o.run.samples.map(MB).join(', ')} → ${MB(o.after)} MB (${MB(o.gced.anon)} after GC${o.gced.heapUsed ? `, V8 heap used ${MB(o.gced.heapUsed)}${o.gced.heapTotal ? ` of ${MB(o.gced.heapTotal)}` : ""}` : ''}${o.gced.external ? `, external ${MB(o.gced.external)}` : ''}; ${MB(o.settled.anon)} 2 s later${o.settled.external ? `, external ${MB(o.settled.external)}` : ''}; peak RSS ${MB(o.gced.peak)} MB; ${o.run.done < MEM_UPDATES ? `only ${o.run.done} in the ${MEM_BUDGET_S} s budget, ` : ''}${(o.run.done / o.run.seconds).toFixed(0)} updates/s${o.run.errors ? `, ${o.run.errors} errors` : ''})`;
    const line = `RssAnon, ${label}, ${MEM_UPDATES} updates at full speed (${IN_FLIGHT} in flight): ours ${show(out.ours)} · Yjs ${show(out.Yjs)}` +
      ` · ours/Yjs ${x(out.ours.after, out.Yjs.after)} after, ${x(out.ours.gced.anon, out.Yjs.gced.anon)} after GC, ${x(out.ours.settled.anon, out.Yjs.settled.anon)} 2 s later (connected: ours ${MB(connected.ours)}, Yjs ${MB(connected.Yjs)} MB)`;
    say(line);
    say(`  ours: ${out.ours.commits}`);
    summary.push(line);
  }
  if (Object.values(missed).some(Boolean) || systems.ours.errors) say(`  missed receipts (timeout ${timeoutMs / 1000} s): ours ${missed.ours}, relay ${missed.relay}, Yjs ${missed.Yjs}; ours errors ${systems.ours.errors ?? 0}`);
  for (const s of Object.values(systems)) s.close();
  writers.close();
  await Promise.all([server.close(), relay.close(), yjs.close()]);
  removeProject(ours);
  say(`  (${label}: ${((now() - t0) / 1000).toFixed(1)} s)`);
}

/** W writers × K in flight against `url`; replies counted over `seconds` after a 0.5 s warm-up. */
async function throughput(url, taskCount, seconds) {
  const writers = await Promise.all(Array.from({ length: WRITERS }, () => jsonClient(url)));
  const r = rng(11);
  const startAt = now() + 500;
  const endAt = startAt + seconds * 1000;
  let acked = 0;
  let errors = 0;
  await Promise.all(writers.flatMap((w, wi) => Array.from({ length: IN_FLIGHT }, async (_, li) => {
    for (let i = 0; now() < endAt; i++) {
      const res = await w.call('task.update', { id: 1 + Math.floor(r() * taskCount), title: `Writer ${wi}.${li} update ${i}` });
      const t = now();
      if (res.error) errors++;
      else if (t >= startAt && t < endAt) acked++;
    }
  })));
  for (const w of writers) w.close();
  return { perSecond: acked / seconds, errors };
}

if (runs('throughput')) {
  for (const tasksN of TPUT_SIZES) {
    const t0 = now();
    const { text } = tasksText(tasksN);
    const ours = await project(text, 'tm-bench-commit-');
    const floorDir = await project(text, 'tm-bench-floor-');
    const server = await start(join(here, 'serve.mjs'), [ours.root], ['--expose-gc', ...flags]);
    const floor = await start(join(here, 'floor-commit.mjs'), [floorDir.tasksFile], flags);
    const res = { ours: [], floor: [] };
    const commitsBefore = { ours: await server.commits(), floor: await floor.commits() };
    for (const side of ['ours', 'floor', 'floor', 'ours']) {
      res[side].push(await throughput(side === 'ours' ? server.wsUrl : floor.wsUrl, tasksN, TPUT_S));
      await sleep(300);
    }
    const c = { ours: await server.commits(), floor: await floor.commits() };
    const per = (side) => { const d = { count: c[side].count - commitsBefore[side].count, ops: c[side].ops - commitsBefore[side].ops, ms: c[side].ms - commitsBefore[side].ms }; return `${(d.ops / d.count).toFixed(0)} updates/commit, ${(d.ms / d.count).toFixed(1)} ms/commit`; };
    const mean = (side) => res[side].reduce((s, v) => s + v.perSecond, 0) / res[side].length;
    const errs = res.ours.reduce((s, v) => s + v.errors, 0);
    const line = `durable acknowledged updates/s, ${k(tasksN)} tasks (${MB(Buffer.byteLength(text))} MB), ${WRITERS} writers × ${IN_FLIGHT} in flight, 2 × ${TPUT_S} s a side: ` +
      `ours ${mean('ours').toFixed(0)} (${res.ours.map((v) => v.perSecond.toFixed(0)).join(', ')}; ${per('ours')}${errs ? `; ${errs} errors` : ''}) · ` +
      `rewrite floor ${mean('floor').toFixed(0)} (${res.floor.map((v) => v.perSecond.toFixed(0)).join(', ')}; ${per('floor')}) · ours/floor ${(mean('ours') / mean('floor')).toFixed(2)}`;
    say(line);
    summary.push(line);
    await Promise.all([server.close(), floor.close()]);
    removeProject(ours);
    removeProject(floorDir);
    say(`  (${k(tasksN)} throughput: ${((now() - t0) / 1000).toFixed(1)} s)`);
  }
}

say(`\nsummary (targets, issue 11: ours/relay p50 ≤ 2 / 3 / 5 at 1k×10 / 10k×100 / 50k×100; ours/Yjs ≤ 1.0; back-to-back p50 ≤ 3 ms; ours/floor ≥ 0.5 at 1k, ≥ 0.4 at 10k; RssAnon ≤ 30 MB at 1k×10, ≤ 50 MB and flat at 10k×100)`);
for (const line of summary) say(`  ${line}`);
say(`load average before ${loadBefore}, after ${load()} (2-core machine: above ~1.5 the numbers are noisy); ${((now() - began) / 1000).toFixed(0)} s`);
process.exit(0);
