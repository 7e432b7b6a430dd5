import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ServerOptions } from '@taskmaster/server';
import { initProject } from '@taskmaster/store';
import type { ClientMode, TaskmasterClient } from '../src/index.js';

export const FIXTURE = fileURLToPath(new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url));

type SyncServer = Awaited<ReturnType<typeof createServer>>;

/** The package's own build, as a user would import it. */
const BUILT_CLIENT = new URL('../dist/index.js', import.meta.url).href;

/** Temp projects, servers, clients and children made by a test, undone by `cleanup()`. */
export class Harness {
  private readonly roots: string[] = [];
  private readonly servers = new Set<SyncServer>();
  private readonly clients: TaskmasterClient[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly listeners: Array<() => Promise<unknown>> = [];

  /** A fresh project; with `fixture`, its tasks.json is a copy of the real one. */
  async project(options: { fixture?: boolean } = {}): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'tm-client-'));
    this.roots.push(root);
    await initProject(root);
    // The bytes, not the file: a copy would keep the fixture's read-only mode, which the store refuses to replace.
    if (options.fixture) await writeFile(join(root, '.taskmaster/tasks/tasks.json'), await readFile(FIXTURE));
    return root;
  }

  async server(root: string, options: Partial<ServerOptions> = {}): Promise<SyncServer> {
    const server = await createServer({ root, host: '127.0.0.1', port: 0, httpPort: 0, batchWindowMs: 5, ...options });
    this.servers.add(server);
    return server;
  }

  /** Closes `server`; it stays tracked until closed, so a stop that fails or hangs is still awaited at cleanup. */
  async stop(server: SyncServer): Promise<void> {
    await server.close();
    this.servers.delete(server);
  }

  /**
   * A port that takes connections and reads them but never answers: a WebSocket handshake or an
   * HTTP request there never ends. With `tls` (a certificate and key), it completes the TLS
   * handshake first. `open()` counts the connections still open, `seen()` all that came.
   */
  async silentPort(tls?: { cert: Buffer; key: Buffer }): Promise<{ port: number; open: () => number; seen: () => number }> {
    const sockets = new Set<Socket>();
    let seen = 0;
    const take = (socket: Socket) => {
      seen++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.resume();
    };
    const server = tls ? createTlsServer(tls, take) : createNetServer(take);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.listeners.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    return { port: (server.address() as AddressInfo).port, open: () => sockets.size, seen: () => seen };
  }

  track<T extends TaskmasterClient>(client: T): T {
    this.clients.push(client);
    return client;
  }

  /**
   * Runs `script` (an ES module body) in a child process, killed at cleanup; `createClient` is the built client's.
   * Its standard input is a pipe: `await nextLine()` in the script waits for what the test sends (`child.stdin.end('…')`, which also lets the child exit).
   */
  child(script: string, env: Record<string, string> = {}): ChildProcess {
    const prelude =
      `import { createClient } from '${BUILT_CLIENT}';\n` +
      `const nextLine = () => new Promise((resolve) => process.stdin.once('data', resolve));\n`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', prelude + script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.push(child);
    return child;
  }

  /**
   * Closes clients, then servers (waiting for their close, so nothing writes
   * into a project being removed), kills children, removes the projects.
   * Every step runs even when an earlier one failed; the first failure is thrown at the end.
   */
  async cleanup(): Promise<void> {
    const failures: unknown[] = [];
    const settle = async (work: Array<Promise<unknown>>) => {
      for (const r of await Promise.allSettled(work)) if (r.status === 'rejected') failures.push(r.reason);
    };
    await settle(this.clients.splice(0).map((c) => c.close()));
    const servers = [...this.servers];
    this.servers.clear();
    await settle(servers.map((s) => s.close()));
    await settle(this.listeners.splice(0).map((close) => close()));
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    }
    // A test body that timed out keeps running and may still write (e.g. through its own store): retry.
    await settle(this.roots.splice(0).map((r) => rm(r, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })));
    if (failures.length > 0) throw failures[0];
  }
}

/** A port that was free a moment ago and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the first event named `name` whose payload passes `test`. */
export function nextEvent<P = any>(client: TaskmasterClient, name: string, test: (payload: P) => boolean = () => true): Promise<P> {
  return new Promise((resolve) => {
    const stop = client.on(name as never, ((payload: P) => {
      if (!test(payload)) return;
      stop();
      resolve(payload);
    }) as never);
  });
}

/** Resolves when the client reaches `mode` (at once if it is there). */
export function modeReached(client: TaskmasterClient, mode: ClientMode): Promise<void> {
  if (client.mode === mode) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = client.onModeChange((m) => {
      if (m !== mode) return;
      stop();
      resolve();
    });
  });
}

/** Waits until `check` holds, checking every 20 ms; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collects a child's stdout and resolves with its exit code and output. */
export function exited(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; out: string; err: string; timedOut: boolean }> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ code: null, out, err, timedOut: true }), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, timedOut: false });
    });
  });
}
