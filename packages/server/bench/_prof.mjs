import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initProject, openStore, taskOps } from '@taskmaster/store';
function tasksFile(n) {
  const tasks = Array.from({ length: n }, (_, i) => ({
    id: i + 1, title: `Task ${i + 1}: implement part ${i} of the feature`,
    description: 'A description of moderate length, like the ones Task Master writes for a task.',
    details: 'Implementation details: '.padEnd(300, 'x'), testStrategy: 'Unit tests and an integration test.',
    status: 'pending', priority: 'medium', dependencies: i > 0 ? [i] : [],
    subtasks: [
      { id: 1, title: 'First step', description: 'Do the first step', status: 'pending', dependencies: [] },
      { id: 2, title: 'Second step', description: 'Do the second step', status: 'pending', dependencies: [1] },
    ],
  }));
  return { master: { tasks, metadata: { created: 'x', updated: 'y', description: 'Tasks for master context' } } };
}
const root = await mkdtemp(join(tmpdir(), 'tm-prof-'));
await initProject(root);
await writeFile(join(root, '.taskmaster', 'tasks', 'tasks.json'), JSON.stringify(tasksFile(1000), null, 2));
const store = await openStore(root);
const s = [];
for (let r = 0; r < 400; r++) {
  const t0 = performance.now();
  await store.transact((d) => taskOps.updateTask(d, 'master', (r % 1000) + 1, { details: `alone ${r}` }));
  s.push(performance.now() - t0);
}
s.sort((a, b) => a - b);
console.log('p50', s[200].toFixed(2), 'p99', s[396].toFixed(2));
