// Benchmark of team sync (run `pnpm build` first): A → C propagation with three sync servers on one
// PostgreSQL, beside a bare INSERT + NOTIFY round trip on the same cluster; updates/s; bytes per change.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { initProject } from '@taskmaster/store';
import { startTestCluster } from '@taskmaster/pg-test-cluster';

const SERVER = fileURLToPath(new URL('./server-process.mjs', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function tasksFile(n: number): unknown {
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    title: `Task ${i + 1}: implement part ${i} of the feature`,
    description: 'A description of moderate length, like the ones Task Master writes for a task.',
    details: 'Implementation details: '.padEnd(300, 'x'),
    testStrategy: 'Unit tests and an integration test.',
    status: 'pending',
    priority: 'medium',
    dependencies: i > 0 ? [i] : [],
    subtasks: [],
  }));
  return { master: { tasks, metadata: { created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', description: 'Tasks for master context' } } };
}

/** The anchor: one INSERT of a row of the same size plus NOTIFY, committed, until a listener hears it. */
async function bareRoundTrip(url: string, payloadBytes: number): Promise<number[]> {
  const listener = new pg.Client({ connectionString: url });
  const writer = new pg.Client({ connectionString: url });
  await Promise.all([listener.connect(), writer.connect()]);
  await writer.query('CREATE TABLE anchor (seq bigserial PRIMARY KEY, payload bytea NOT NULL)');
  await listener.query('LISTEN anchor');
  const payload = Buffer.alloc(payloadBytes, 120);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const heard = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
    const t0 = performance.now();
    await writer.query('BEGIN');
    await writer.query('INSERT INTO anchor (payload) VALUES ($1)', [payload]);
    await writer.query("SELECT pg_notify('anchor', '1')");
    await writer.query('COMMIT');
    await heard;
    times.push(performance.now() - t0);
  }
  await Promise.all([listener.end(), writer.end()]);
  return times;
}

interface Member {
  root: string;
  child: ChildProcess;
  ws: WebSocket;
  messages: Array<Record<string, any>>;
  call(method: string, params: unknown): Promise<any>;
}

async function member(url: string, project: string, tasks: unknown): Promise<Member> {
  const root = await mkdtemp(join(tmpdir(), 'tm-team-bench-'));
  await initProject(root);
  await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(tasks, null, 2));
  await writeFile(join(root, '.taskmaster', 'config', 'sync.json'), JSON.stringify({ team: { url, project } }), { mode: 0o600 });
  const child = spawn(process.execPath, [SERVER, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  const conn = JSON.parse(await readFile(join(root, '.taskmaster', 'config', 'connection.json'), 'utf8'));
  const ws = new WebSocket(conn.wsUrl, { headers: { Authorization: `Bearer ${conn.token}` } });
  const messages: Array<Record<string, any>> = [];
  const waiting = new Map<number, (m: any) => void>();
  ws.on('message', (data) => {
    const value = JSON.parse(data.toString());
    for (const m of Array.isArray(value) ? value : [value]) {
      if (m.id !== undefined && waiting.has(m.id)) waiting.get(m.id)!(m);
      else messages.push(m);
    }
  });
  await new Promise((resolve) => ws.once('open', resolve));
  let next = 1;
  const call = (method: string, params: unknown) =>
    new Promise<any>((resolve, reject) => {
      const id = next++;
      waiting.set(id, (m) => (waiting.delete(id), m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result)));
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  await call('subscribe', { events: ['task.*'] });
  return { root, child, ws, messages, call };
}

async function until(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(): Promise<void> {
  const cluster = await startTestCluster();
  const members: Member[] = [];
  try {
    const url = await cluster.createDatabase('team_bench');
    const tasks = tasksFile(100);
    for (let i = 0; i < 3; i++) {
      members.push(await member(url, 'bench', tasks));
      await until(async () => (await members.at(-1)!.call('sync.status', {})).team?.connected === true);
    }
    const [a, , c] = members as [Member, Member, Member];

    // A → C: from A's request until C's client has the event.
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const marker = `round ${i} ${Math.random()}`;
      const t0 = performance.now();
      await a.call('task.update', { id: String((i % 100) + 1), changes: { title: marker } });
      await until(async () => c.messages.some((m) => m.method === 'task.updated' && m.params?.task?.title === marker), 30_000);
      times.push(performance.now() - t0);
      c.messages.length = 0;
    }

    // Throughput: 2,000 updates from A, 200 in flight, until C has applied the last of them.
    const N = 2000;
    const t0 = performance.now();
    for (let from = 0; from < N; from += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, k) => a.call('task.update', { id: String(((from + k) % 100) + 1), changes: { details: `bulk ${from + k}` } })));
    }
    const acked = performance.now() - t0;
    await until(async () => {
      const [sa, sc] = await Promise.all([a.call('sync.status', {}), c.call('sync.status', {})]);
      return sa.team.outbox === 0 && sc.team.lastSeq >= sa.team.headSeq;
    });
    const converged = performance.now() - t0;

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const stats = (
      await db.query(
        `SELECT count(*)::int AS rows, avg(octet_length(payload))::int AS payload,
                pg_total_relation_size('taskmaster_team_changes')::bigint AS table_bytes
           FROM taskmaster_team_changes`,
      )
    ).rows[0];
    await db.end();
    const anchor = await bareRoundTrip(url, stats.payload);

    const p50 = pct(times, 50);
    const p99 = pct(times, 99);
    const a50 = pct(anchor, 50);
    const a99 = pct(anchor, 99);
    console.log(`team sync, 3 servers, 100 tasks, ${ROUNDS} rounds (A's request → C's client has the event)`);
    console.log(`  A → C event: p50 ${ms(p50)}, p99 ${ms(p99)}`);
    console.log(`  anchor, bare INSERT (${stats.payload} B) + NOTIFY → listener: p50 ${ms(a50)}, p99 ${ms(a99)}`);
    console.log(`  ratio: ${(p50 / a50).toFixed(1)}× p50, ${(p99 / a99).toFixed(1)}× p99`);
    console.log(`  ${N} updates from A: acknowledged at ${Math.round(N / (acked / 1000))}/s, on C after ${Math.round(converged)} ms (${Math.round(N / (converged / 1000))} updates/s end to end)`);
    console.log(`  per row in the log: ${stats.payload} B payload, ${Math.round(Number(stats.table_bytes) / stats.rows)} B of table (with index), ${stats.rows} rows for ${N + ROUNDS} updates (group commits share a row)`);
  } finally {
    for (const m of members) {
      m.ws.terminate();
      m.child.kill('SIGTERM');
    }
    await Promise.all(members.map((m) => new Promise((r) => m.child.once('exit', r))));
    await Promise.all(members.map((m) => rm(m.root, { recursive: true, force: true })));
    await cluster.remove();
  }
}

await run();
