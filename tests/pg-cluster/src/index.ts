import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL server the tests may create databases in. */
export interface TestCluster {
  /** A superuser URL to the `postgres` database. */
  readonly url: string;
  /** A URL to `database` on this cluster. */
  urlFor(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (a fast shutdown), keeping its data: for outage tests. */
  stop(): Promise<void>;
  /** Starts it again on the same port (nothing when it runs). */
  start(): Promise<void>;
  /** Whether this harness can stop and start the server (not for TASKMASTER_TEST_PG_URL). */
  readonly controllable: boolean;
  /** Stops the server and removes its folder (nothing for TASKMASTER_TEST_PG_URL). */
  remove(): Promise<void>;
}

/**
 * Debian's PostgreSQL binaries: `pg_config --bindir` when it names one with
 * initdb, else the newest `/usr/lib/postgresql/<major>/bin`. CI installs the
 * `postgresql` package (.ci/postgres-setup.sh).
 */
export function postgresBinDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // pg_config is in libpq-dev, which the server package does not pull in.
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const dir = join(root, major, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin). Run `bash .ci/postgres-setup.sh` (CI runs it).');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** uid/gid of `nobody`, under which initdb and postgres run when we are root (initdb refuses root). */
function nobody(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Runs a PostgreSQL binary with an argv (never a shell), as `nobody` when we are root; rejects with its output on failure. */
function run(bin: string, args: string[], asUser: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' },
      ...(asUser ? { uid: asUser.uid, gid: asUser.gid } : {}),
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} ${args[0] ?? ''} exited ${code}: ${output.slice(-2000)}`))));
  });
}

/**
 * A throw-away PostgreSQL cluster: `TASKMASTER_TEST_PG_URL` when set (used as
 * is, never stopped), else initdb in a temp folder and pg_ctl start on a free
 * loopback port, with trust authentication on a Unix socket in the same
 * folder. Call {@link TestCluster.remove} after.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const given = process.env.TASKMASTER_TEST_PG_URL;
  if (given) return external(given);
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'tm-pg-'));
  const user = process.getuid?.() === 0 ? nobody() : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], user);
  // Small and quick: a test cluster needs neither durability across power loss nor much memory.
  appendFileSync(
    join(data, 'postgresql.conf'),
    ['', 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'shared_buffers = 32MB', 'max_connections = 60', "log_min_messages = 'warning'", ''].join('\n'),
  );
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`;
  const pgCtl = join(bin, 'pg_ctl');
  const start = () => run(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'], user);
  const stop = () => run(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], user);
  await start();
  let running = true;
  const base = `postgresql://postgres@127.0.0.1:${port}`;
  const cluster: TestCluster = {
    url: `${base}/postgres`,
    urlFor: (db) => `${base}/${db}`,
    controllable: true,
    createDatabase: async (name) => {
      await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name], user);
      return `${base}/${name}`;
    },
    stop: async () => {
      await stop();
      running = false;
    },
    start: async () => {
      if (running) return;
      await start();
      running = true;
    },
    remove: async () => {
      if (running) await stop().catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

function external(url: string): TestCluster {
  const base = new URL(url);
  const urlFor = (db: string) => {
    const u = new URL(base);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const unsupported = () => Promise.reject(new Error('TASKMASTER_TEST_PG_URL: the harness cannot stop or start a server it did not start'));
  return {
    url,
    urlFor,
    controllable: false,
    createDatabase: async (name) => {
      // Through psql's argv, so the name never meets a shell; the pg driver is not a dependency of this package.
      execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE "${name.replace(/"/g, '')}"`], { stdio: 'ignore' });
      return urlFor(name);
    },
    stop: unsupported,
    start: unsupported,
    remove: async () => {},
  };
}
