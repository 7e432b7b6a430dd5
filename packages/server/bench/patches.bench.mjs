// An update of a large task, seen by 100 clients (run `pnpm build` first): `task.patched` (what a
// client that subscribes with `patches: true` gets, as the SDK's replicas do: only what changed)
// beside its anchor in the same run, `task.updated` (the whole task, its subtasks included, what
// every other client gets). The real fixture's largest task (master #61: 124 KB with its 45
// subtasks) gets a new title each round; a round goes to one group of clients, the next to the
// other, taking turns; the time is from the writer's send to each client of the group having it
// parsed, p50/p99 over clients and rounds. Our server (bench/serve.mjs, SERVER_NODE_FLAGS),
// loopback, permessage-deflate as shipped.
// BENCH_PATCH_CLIENTS (100 a group), BENCH_PATCH_ROUNDS (40 a group), TASKMASTER_FIXTURE.
import { fork } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject } from '@taskmaster/store';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../dist/node-flags.js';
import { jsonClient } from './json-client.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLIENTS = Number(process.env.BENCH_PATCH_CLIENTS ?? 100);
const ROUNDS = Number(process.env.BENCH_PATCH_ROUNDS ?? 40);
const fixture = process.env.TASKMASTER_FIXTURE ?? join(here, '../../../../shared/fixtures/taskmaster-repo-tasks.json');
const bytes = readFileSync(fixture);
const largest = JSON.parse(bytes.toString('utf8')).master.tasks.reduce((a, b) => (JSON.stringify(b).length > JSON.stringify(a).length ? b : a));

const root = await mkdtemp(join(tmpdir(), 'tm-bench-patches-'));
await initProject(root);
await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), bytes);
const server = fork(join(here, 'serve.mjs'), [root], { execArgv: [...SERVER_NODE_FLAGS], env: { ...SERVER_ENV, ...process.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
process.on('exit', () => {
  server.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
const { wsUrl } = await new Promise((resolve) => server.once('message', resolve));

// Titles are unique per round and only the largest task changes, so any title seen is that task's.
const connect = (onTitle) => jsonClient(wsUrl, onTitle);

const waiting = new Map();
const seen = (title) => {
  const w = waiting.get(title);
  if (!w) return;
  w.times.push(performance.now() - w.t0);
  if (w.times.length === CLIENTS) w.done();
};
const groups = {};
for (const [name, patches] of [['task.patched', true], ['task.updated', false]]) {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(seen)));
  await Promise.all(clients.map((c) => c.call('subscribe', { events: ['task.updated'], patches })));
  groups[name] = { clients, times: [] };
}
const writer = await connect();
for (let round = 0; round < 2 * ROUNDS; round++) {
  const name = round % 2 === 0 ? 'task.patched' : 'task.updated';
  const other = groups[name === 'task.patched' ? 'task.updated' : 'task.patched'];
  // The round's group listens; the other is told to stop, so it neither receives nor slows this round.
  await Promise.all(other.clients.map((c) => c.call('unsubscribe', {})));
  await Promise.all(groups[name].clients.map((c) => c.call('subscribe', { events: ['task.updated'], patches: name === 'task.patched' })));
  const title = `Round ${round} ${Math.random().toString(36).slice(2)}`;
  const w = { t0: performance.now(), times: [] };
  const done = new Promise((resolve) => (w.done = resolve));
  waiting.set(title, w);
  const reply = await writer.call('task.update', { id: largest.id, title });
  if (reply.error) throw new Error(`update failed: ${reply.error.message}`);
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  waiting.delete(title);
  if (round >= 2) groups[name].times.push(...w.times); // the first round of each warms up
  await new Promise((resolve) => setTimeout(resolve, 20));
}

const q = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const ms = (n) => n.toFixed(2);
const [patched, whole] = [groups['task.patched'].times, groups['task.updated'].times];
const size = JSON.stringify(largest).length;
console.log(
  `update of the fixture's largest task (#${largest.id}, ${(size / 1024).toFixed(0)} KB with ${largest.subtasks?.length ?? 0} subtasks) → ${CLIENTS} clients, ${ROUNDS} rounds a side: ` +
    `task.patched p50 ${ms(q(patched, 0.5))} / p99 ${ms(q(patched, 0.99))} ms · task.updated (whole task) p50 ${ms(q(whole, 0.5))} / p99 ${ms(q(whole, 0.99))} ms · ` +
    `patched/whole ${(q(patched, 0.5) / q(whole, 0.5)).toFixed(2)}× p50` +
    (patched.length < CLIENTS * (ROUNDS - 1) || whole.length < CLIENTS * (ROUNDS - 1) ? ` (missed receipts: ${CLIENTS * (ROUNDS - 1) - patched.length} patched, ${CLIENTS * (ROUNDS - 1) - whole.length} whole)` : ''),
);
for (const g of Object.values(groups)) for (const c of g.clients) c.close();
writer.close();
process.exit(0);
