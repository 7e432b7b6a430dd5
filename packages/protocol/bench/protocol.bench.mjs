// Parse + validate the real 1.5 MB fixture; prints median and p99 in ms.
import { readFileSync } from 'node:fs';
import { diffTasksFiles, validateTasksFile } from '../dist/index.js';

const text = readFileSync(new URL('../../../../shared/fixtures/taskmaster-repo-tasks.json', import.meta.url), 'utf8');
const runs = 50;
const time = (fn) => {
  const samples = [];
  for (let i = 0; i < runs + 5; i++) {
    const t = performance.now();
    fn();
    if (i >= 5) samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)].toFixed(2), p99: samples[Math.floor(runs * 0.99)].toFixed(2) };
};
const before = JSON.parse(text);
const after = JSON.parse(text);
after.master.tasks[0].status = 'review';
console.log(`fixture ${(text.length / 1e6).toFixed(2)} MB, ${runs} runs`);
console.log('JSON.parse + validate (ms)', time(() => validateTasksFile(JSON.parse(text))));
console.log('validate only (ms)        ', time(() => validateTasksFile(before)));
console.log('diff, one change (ms)     ', time(() => diffTasksFiles(before, after)));
