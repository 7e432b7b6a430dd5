import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { cleanup, tempProject } from './helpers.js';

afterEach(cleanup);

it('reads the current tag from state.json as it changes: made, rewritten in place, replaced, removed', async () => {
  const { root } = tempProject({ master: { tasks: [] }, feature: { tasks: [] } });
  const store = await openStore(root);
  const stateFile = path.join(root, '.taskmaster', 'state.json');
  fs.rmSync(stateFile, { force: true });
  // No state file: Task Master's default.
  expect(await store.currentTag()).toBe('master');
  expect(await store.currentTag()).toBe('master');
  fs.writeFileSync(stateFile, JSON.stringify({ currentTag: 'feature' }));
  expect(await store.currentTag()).toBe('feature');
  // In place, at the same size, at once: the identity alone cannot tell, so the file is read again.
  fs.writeFileSync(stateFile, JSON.stringify({ currentTag: 'fxature' }));
  expect(await store.currentTag()).toBe('fxature');
  fs.writeFileSync(stateFile, JSON.stringify({ currentTag: 'feature' }));
  expect(await store.currentTag()).toBe('feature');
  // Replaced through a rename, as our own `tag.use` writes it.
  fs.writeFileSync(`${stateFile}.new`, JSON.stringify({ currentTag: 'master', lastSwitched: 'now' }));
  fs.renameSync(`${stateFile}.new`, stateFile);
  expect(await store.currentTag()).toBe('master');
  fs.writeFileSync(stateFile, 'not json');
  expect(await store.currentTag()).toBe('master');
  fs.writeFileSync(stateFile, JSON.stringify({ currentTag: 'feature' }));
  expect(await store.currentTag()).toBe('feature');
  fs.rmSync(stateFile);
  expect(await store.currentTag()).toBe('master');
});

it('gives the callers that ask while state.json is read one answer, in the order they asked', async () => {
  const { root } = tempProject({ master: { tasks: [] }, feature: { tasks: [] } });
  const store = await openStore(root);
  fs.writeFileSync(path.join(root, '.taskmaster', 'state.json'), JSON.stringify({ currentTag: 'feature' }));
  const order: number[] = [];
  const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => store.currentTag().then((tag) => (order.push(i), tag))));
  expect(answers).toEqual(Array(5).fill('feature'));
  expect(order).toEqual([0, 1, 2, 3, 4]);
});
