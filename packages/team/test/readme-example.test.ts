import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '@taskmaster/pg-test-cluster';
import { openTeamProject } from '../src/index.js';

let cluster: TestCluster;
let url: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  url = await cluster.createDatabase(`team_readme_${process.pid}`);
});
afterAll(async () => {
  await cluster?.remove();
});

it('runs the README example', async () => {
  // README.md "Example", with the cluster's URL.
  const team = await openTeamProject({ url, project: 'acme-web' }, undefined, {
    createWith: () => ({ master: { tasks: [] } }),
  });
  const ops = [{ change: { event: 'task.deleted' as const, payload: { tag: 'master', id: '7' } } }];
  const id = crypto.randomUUID();
  const [pushed] = await team.db.append(team.row.id, [{ id, payload: team.codec.encodeChange(id, ops) }]);
  const rows = await team.db.changesAfter(team.row.id, pushed!.seq - 1, 100);
  expect(rows.map((r) => team.codec.decodeChange(r.change_id, r.payload))).toEqual([ops]);
  await team.db.close();
});
