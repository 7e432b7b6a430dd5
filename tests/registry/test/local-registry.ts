import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A verdaccio process on loopback, with its storage, users and config in `dir`. */
export interface LocalRegistry {
  /** http://127.0.0.1:<port>/ — always with the trailing slash npm writes in its settings. */
  url: string;
  /** Creates a user through the registry's own API and returns the token npm presents. */
  addUser(name: string, password: string): Promise<string>;
  /** What verdaccio logged (warnings and errors), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function verdaccioBin(): Promise<string> {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('verdaccio/package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['verdaccio']!;
  return join(dirname(manifestPath), bin);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts verdaccio. `@taskmaster/*` lives only here (no proxy: a name missing here is a 404,
 * never a fetch from elsewhere) and anyone may publish it; every other package comes through
 * one uplink, `upstream`, so that npm itself never talks to any registry but this one.
 */
export async function startLocalRegistry(dir: string, upstream: string): Promise<LocalRegistry> {
  await mkdir(join(dir, 'storage'), { recursive: true });
  // JSON is YAML, so verdaccio reads this as its usual config.yaml.
  const config = {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd') } },
    uplinks: { upstream: { url: upstream, timeout: '60s', max_fails: 5 } },
    packages: {
      '@taskmaster/*': { access: '$all', publish: '$all', unpublish: '$all' },
      '**': { access: '$all', proxy: 'upstream' },
    },
    web: { enable: false },
    max_body_size: '100mb',
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  };
  const configFile = join(dir, 'config.yaml');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const bin = await verdaccioBin();

  // The port is picked here and handed over; if something takes it in between, verdaccio
  // exits and another port is tried.
  let lastOutput = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const child = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    };
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline && child.exitCode === null) {
      const ok = await fetch(new URL('-/ping', url)).then((r) => r.ok, () => false);
      if (ok) {
        return {
          url,
          stop,
          log: () => output,
          async addUser(name, password) {
            const res = await fetch(new URL(`-/user/org.couchdb.user:${encodeURIComponent(name)}`, url), {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [] }),
            });
            const body = (await res.json()) as { token?: string; error?: string };
            if (!res.ok || !body.token) throw new Error(`verdaccio refused user ${name}: ${res.status} ${JSON.stringify(body)}`);
            return body.token;
          },
        };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await stop();
    lastOutput = output;
  }
  throw new Error(`verdaccio did not start:\n${lastOutput}`);
}
