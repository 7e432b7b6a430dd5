// CLI benchmarks: cold start of `list --json` on the real 1.5 MB file, and
// `set-status` through a running server vs writing the file directly.
// Wall clock per run, node start included. Run `pnpm --filter @taskmaster/cli build` first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', 'dist', 'bin.js');
const FIXTURE = process.env.TASKMASTER_FIXTURE ?? path.resolve(here, '../../../../shared/fixtures/taskmaster-repo-tasks.json');
const RUNS = Number(process.env.RUNS ?? 10);

function cli(args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`taskmaster ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: median.toFixed(1), min: s[0].toFixed(1), max: s[s.length - 1].toFixed(1) };
}

function report(name, samples) {
  const { median, min, max } = stats(samples);
  console.log(`${name.padEnd(44)} median ${median.padStart(7)} ms   min ${min.padStart(7)} ms   max ${max.padStart(7)} ms   (${samples.length} runs)`);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'taskmaster-cli-bench-'));
try {
  cli(['init'], dir);
  writeFileSync(path.join(dir, '.taskmaster', 'tasks', 'tasks.json'), readFileSync(FIXTURE));
  const ids = JSON.parse(cli(['list', '--json'], dir).stdout).tasks.map((t) => String(t.id));
  console.log(`fixture: ${ids.length} tasks in the current tag; node ${process.version}; ${os.cpus().length} cores`);

  report('node -e 0 (node start alone)', Array.from({ length: RUNS }, () => {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }));
  report('taskmaster --version', Array.from({ length: RUNS }, () => cli(['--version'], dir).ms));
  report('taskmaster list --json (1.5 MB file)', Array.from({ length: RUNS }, () => cli(['list', '--json'], dir).ms));

  const statuses = ['in-progress', 'review'];
  const setStatus = (i) => cli(['set-status', `--id=${ids[i % ids.length]}`, `--status=${statuses[i % 2]}`, '--no-auto-sync'], dir).ms;
  report('set-status, direct file write', Array.from({ length: RUNS }, (_, i) => setStatus(i)));

  cli(['sync', 'server', 'start', '--port', '0', '--http-port', '0'], dir);
  try {
    report('set-status, through the running server', Array.from({ length: RUNS }, (_, i) => setStatus(i + 1)));
    report('taskmaster list --json, through the server', Array.from({ length: RUNS }, () => cli(['list', '--json'], dir).ms));
  } finally {
    cli(['sync', 'server', 'stop'], dir);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
