// One benchmark writer: `count` status updates on its own tasks.
import { openStore } from '../dist/index.js';

const [root, index, count] = process.argv.slice(2);
const store = await openStore(root, { lockTimeoutMs: 120_000 });
for (let i = 0; i < Number(count); i++) {
  await store.update(1 + Number(index) * 100 + (i % 100), { status: i % 2 ? 'done' : 'in-progress' }, { tag: 'master' });
}
