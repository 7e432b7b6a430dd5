import { execFile } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Runs a real command to completion. Fails with its whole output (a failed npm install is
 * only debuggable from its log) or when it outlives its time, when it is killed.
 */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const timeout = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: options.env, timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (err) {
        const why = err.killed ? `killed after ${timeout} ms` : `exit ${String(err.code)}`;
        reject(new Error(`${command} ${args.join(' ')} (in ${options.cwd}): ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The environment a command gets: the parent's, less every npm_* variable. pnpm and npm
 * pass their own settings to scripts that way (npm_config_registry, …), and an npm started
 * from here must read only the scratch settings it is given.
 */
export function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, ...overrides };
}
