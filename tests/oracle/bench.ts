// Oracle bench: each verb's cold run (node start included) on the real 1.5 MB file, by our
// `taskmaster` and by the real Task Master (task-master-ai 0.43.1), side by side with the
// ratio. One run per verb and side, each on a fresh copy of the fixture, one at a time (no
// parallel runs, so both get the same machine). Run by the root `pnpm bench` (turbo's
// `bench` of @taskmaster/oracle-tests) or alone: `cd tests/oracle && npx tsx bench.ts`.
// RUNS=n takes the median of n runs per verb and side.
import os from 'node:os';
import { cleanUp, makeProject, ours, theirs } from './src/projects.js';

const RUNS = Number(process.env.RUNS ?? 1);

/** Each verb as both CLIs spell it on the fixture (current tag master). */
const VERBS: Array<{ name: string; theirs: string[]; ours?: string[] }> = [
  { name: 'list', theirs: ['list'] },
  { name: 'show', theirs: ['show', '23'] },
  { name: 'next', theirs: ['next'] },
  { name: 'set-status', theirs: ['set-status', '--id=26', '--status=done'] },
  { name: 'add-task (manual)', theirs: ['add-task', '--title=Bench', '--description=Bench task'] },
  { name: 'remove-task', theirs: ['remove-task', '--id=89', '-y'] },
  { name: 'add-subtask', theirs: ['add-subtask', '--parent=24', '--title=Bench'] },
  { name: 'remove-subtask --convert', theirs: ['remove-subtask', '--id=45.3', '--convert'] },
  { name: 'clear-subtasks', theirs: ['clear-subtasks', '--id=41,42'] },
  { name: 'add-dependency', theirs: ['add-dependency', '--id=46', '--depends-on=45'] },
  { name: 'remove-dependency', theirs: ['remove-dependency', '--id=45', '--depends-on=97'] },
  { name: 'validate-dependencies', theirs: ['validate-dependencies'] },
  { name: 'fix-dependencies', theirs: ['fix-dependencies'] },
  { name: 'move (new id)', theirs: ['move', '--from=27', '--to=110'] },
  { name: 'move (cross-tag)', theirs: ['move', '--from=89', '--from-tag=master', '--to-tag=test-tag'] },
  { name: 'tags', theirs: ['tags'] },
  { name: 'add-tag --copy-from', theirs: ['add-tag', 'bench', '--copy-from=master'] },
  { name: 'use-tag', theirs: ['use-tag', 'loop'] },
  { name: 'copy-tag', theirs: ['copy-tag', 'master', 'master-copy'] },
  { name: 'rename-tag', theirs: ['rename-tag', 'loop', 'loop-2'] },
  { name: 'delete-tag', theirs: ['delete-tag', 'cc-kiro-hooks', '-y'] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function time(which: 'ours' | 'theirs', args: string[]): Promise<{ ms: number; ok: boolean }> {
  const samples: number[] = [];
  let ok = true;
  for (let i = 0; i < RUNS; i++) {
    const root = await makeProject({ tasks: 'fixture' });
    const run = which === 'ours' ? await ours(root, args) : await theirs(root, args);
    ok &&= run.code === 0;
    samples.push(run.ms);
  }
  return { ms: median(samples), ok };
}

console.log(`oracle bench: cold run per verb on the real file; node ${process.version}; ${os.cpus().length} cores; median of ${RUNS} run(s)`);
console.log(`${'verb'.padEnd(26)} ${'taskmaster'.padStart(12)} ${'task-master'.padStart(12)} ${'ratio'.padStart(8)}`);
try {
  for (const verb of VERBS) {
    const a = await time('ours', verb.ours ?? verb.theirs);
    const b = await time('theirs', verb.theirs);
    const flag = (r: { ok: boolean }) => (r.ok ? ' ' : '!');
    const ratio = `${(a.ms / b.ms).toFixed(2)}×`;
    console.log(`${verb.name.padEnd(26)} ${`${a.ms} ms`.padStart(11)}${flag(a)} ${`${b.ms} ms`.padStart(11)}${flag(b)} ${ratio.padStart(8)}`);
  }
  console.log('ratio = taskmaster / task-master (below 1 is faster); ! = the command failed (its time is the time to fail)');
} finally {
  await cleanUp();
}
