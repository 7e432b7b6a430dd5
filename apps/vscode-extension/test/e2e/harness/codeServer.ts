import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** A running code-server with the extension installed. */
export interface CodeServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The address that opens `folder` in the workbench. */
  folderUrl(folder: string): string;
  /** Everything code-server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Editor settings that keep the workbench quiet and offline: no welcome page, no gallery, no telemetry. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'remote.autoForwardPorts': false,
};

/**
 * Installs `vsix` into fresh extension and user-data folders and starts code-server on a free port.
 * `env` overrides variables of this process's environment for the editor (and so its extensions).
 */
export async function startCodeServer(codeServer: string, vsix: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CodeServer> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'tm-code-server-'));
  const extensionsDir = path.join(home, 'extensions');
  const userDataDir = path.join(home, 'user-data');
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const env = { ...process.env, ...extraEnv, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data') };
  const dirs = ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
  await run(codeServer, ['--install-extension', vsix, ...dirs], { env, timeout: 60_000 });

  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    codeServer,
    ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...dirs],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('HTTP server listening')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`code-server exited (${code}) before listening:\n${output}`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`code-server did not start in 30 s:\n${output}`)), 30_000).unref());
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The whole process group: code-server forks the extension host and its own servers.
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    await rm(home, { recursive: true, force: true });
  };
  try {
    await Promise.race([listening, timeout]);
  } catch (err) {
    await stop();
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  return { url, folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`, output: () => output, stop };
}
