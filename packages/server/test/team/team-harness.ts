import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initProject } from '@taskmaster/store';
import { RawClient, register, FIXTURE } from '../helpers.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./server-process.mjs', import.meta.url));

/** A project folder joined to a team (sync.json's `team`), not yet served. */
export interface TeamMember {
  name: string;
  root: string;
}

/**
 * A temp project holding `tasks` (the fixture's bytes by default — never a
 * copy of the read-only file), joined to team project `project` on `url`.
 */
export async function makeMember(name: string, team: { url: string; project: string; passphrase?: string }, tasks: unknown | 'fixture' = 'fixture'): Promise<TeamMember> {
  const root = await mkdtemp(join(tmpdir(), `tm-team-${name}-`));
  register(() => rm(root, { recursive: true, force: true }));
  await initProject(root);
  const file = join(root, '.taskmaster', 'tasks', 'tasks.json');
  if (tasks === 'fixture') await writeFile(file, await readFile(FIXTURE));
  else await writeFile(file, `${JSON.stringify(tasks, null, 2)}\n`);
  const config: Record<string, unknown> = { url: team.url, project: team.project };
  if (team.passphrase !== undefined) {
    const passphraseFile = join(root, '.taskmaster', 'config', 'team-passphrase');
    await writeFile(passphraseFile, `${team.passphrase}\n`, { mode: 0o600 });
    config.passphraseFile = passphraseFile;
  }
  const syncJson = join(root, '.taskmaster', 'config', 'sync.json');
  const existing = JSON.parse(await readFile(syncJson, 'utf8').catch(() => '{}')) as Record<string, unknown>;
  await writeFile(syncJson, `${JSON.stringify({ ...existing, team: config }, null, 2)}\n`, { mode: 0o600 });
  await chmod(syncJson, 0o600);
  return { name, root };
}

/** A sync server process of a member. */
export interface RunningMember {
  member: TeamMember;
  process: ChildProcess;
  /** What the server logged (JSON lines), for assertions that no secret is in it. */
  log: string[];
  wsUrl: string;
  token: string;
  /** A subscribed WebSocket client. */
  client(): Promise<RawClient>;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/** Starts the member's server in a process of its own and waits until it listens. */
export async function serve(member: TeamMember): Promise<RunningMember> {
  const child = spawn(process.execPath, [SERVER_SCRIPT, member.root], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.stderr!.on('data', (c: Buffer) => log.push(...c.toString().split('\n').filter(Boolean)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${member.name}'s server exited (${code}) before listening: ${log.slice(-5).join(' | ')}`)));
  });
  const connection = JSON.parse(await readFile(join(member.root, '.taskmaster', 'config', 'connection.json'), 'utf8')) as { wsUrl: string; token: string };
  const signal = async (sig: NodeJS.Signals) => {
    if (!exited) child.kill(sig);
    await exit;
  };
  register(() => signal('SIGKILL'));
  return {
    member,
    process: child,
    log,
    wsUrl: connection.wsUrl,
    token: connection.token,
    client: async () => {
      const client = await RawClient.connect(connection.wsUrl, { token: connection.token });
      await client.result('subscribe', { events: ['*'] });
      return client;
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

/** The member's tasks.json, parsed. */
export async function tasksOf(member: TeamMember): Promise<Record<string, { tasks: Array<Record<string, unknown>> }>> {
  return JSON.parse(await readFile(join(member.root, '.taskmaster', 'tasks', 'tasks.json'), 'utf8'));
}

/**
 * Tags → tasks with ids as strings, for comparing files across machines: Task Master flips `1` and `"1"`,
 * and gives a subtask without a `parentId` the `"undefined"` of `String(undefined)`, neither a change.
 */
export function comparable(file: Record<string, { tasks: Array<Record<string, unknown>> }>): unknown {
  const norm = (t: Record<string, unknown>): unknown => {
    const { parentId, ...rest } = t;
    return {
      ...rest,
      ...(parentId === undefined || parentId === 'undefined' ? {} : { parentId }),
      id: String(t.id),
      dependencies: ((t.dependencies as unknown[]) ?? []).map(String),
      subtasks: ((t.subtasks as Array<Record<string, unknown>>) ?? []).map(norm),
    };
  };
  return Object.fromEntries(Object.entries(file).map(([tag, data]) => [tag, data.tasks.map(norm)]));
}

/** The change ids a member recorded in its outbox journal, ever (the journal is not compacted at these sizes). */
export async function recordedChangeIds(member: TeamMember): Promise<string[]> {
  const text = await readFile(join(member.root, '.taskmaster', 'team', 'journal.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { k: string; id?: string })
    .filter((r) => r.k === 'local')
    .map((r) => r.id!);
}

