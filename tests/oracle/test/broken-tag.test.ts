/**
 * A tag another tool left broken (here a task whose title is `null`) beside the real Task
 * Master 0.43.1: what both do alike, and where ours deliberately differs, each with its reason.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { describeRun } from '@taskmaster/task-master-runner';
import { basicFile } from '../src/files.js';
import { cleanUp, describeOurs, expectSameFile, oracle, type Outcome } from '../src/oracle.js';

afterAll(cleanUp);

/** basicFile's two tags, feature's task 2 without a title. */
function withBrokenFeature(currentTag?: string) {
  const file = basicFile() as { feature: { tasks: Array<{ title: string | null }> } };
  file.feature.tasks[1]!.title = null;
  return currentTag === undefined ? { tasks: file } : { tasks: file, state: { currentTag } };
}

/** The broken tag as the file held it before, in both files after the command. */
function expectBrokenTagKept(o: Outcome): void {
  const before = JSON.parse(o.before).feature;
  for (const [side, file] of [['ours', o.ours.file], ['theirs', o.theirs.file]] as const) {
    const feature = (file as { feature: { tasks: Array<{ id: unknown; title: unknown; status: unknown }> } }).feature;
    const gist = (tag: typeof feature) => tag.tasks.map((t) => [String(t.id), t.title, t.status]);
    expect(gist(feature), `${side}'s feature tag`).toEqual(gist(before));
  }
}

describe.concurrent('a tag another tool left broken', () => {
  test('a write to another tag goes through on both, the broken tag kept as it was', async () => {
    const o = await oracle(withBrokenFeature(), ['set-status', '--id=4', '--status=done']);
    expectBrokenTagKept(o);
    // Task Master's set-status rewrites the tag's metadata; ours keeps it (see keepsTagMetadataOf in small.test.ts).
    expectSameFile(o, [
      {
        name: 'master metadata set aside',
        reason: "tm-core's set-status replaces the tag's metadata; compared in small.test.ts",
        apply({ ours, theirs }) {
          for (const file of [ours, theirs]) file.master!.metadata = {};
        },
      },
    ]);
  });

  test('listing the broken tag fails on both, naming the missing title; listing another tag works on both', async () => {
    const onBroken = await oracle(withBrokenFeature('feature'), ['list']);
    expect(onBroken.theirs.run.code, describeRun(onBroken.theirs.run)).toBe(1);
    expect(onBroken.theirs.run.stderr).toMatch(/title is required/i);
    expect(onBroken.ours.run.code, describeOurs(onBroken.ours.run)).toBe(1);
    expect(onBroken.ours.run.stderr).toMatch(/tag feature, task 2, field title: expected string, received null/);
    const onMaster = await oracle(withBrokenFeature(), ['list']);
    expect(onMaster.theirs.run.code, describeRun(onMaster.theirs.run)).toBe(0);
    expect(onMaster.ours.run.code, describeOurs(onMaster.ours.run)).toBe(0);
    for (const o of [onBroken, onMaster]) expect(o.ours.bytes).toBe(o.before);
  });

  test('deliberate: a valid task of the broken tag is neither shown nor changed by ours, where Task Master does both', async () => {
    // Why: no client of a sync server is sent a broken tag's changes (its tasks are not valid tasks), so a
    // write taken there would reach the file and no one else until the tag is fixed; and ours refuses every
    // read of the tag alike, where Task Master's `show` reads it and its `list` does not. Ours says which task
    // and field to fix, and takes any write that fixes it.
    const shown = await oracle(withBrokenFeature('feature'), ['show', '1']);
    expect(shown.theirs.run.code, describeRun(shown.theirs.run)).toBe(0);
    expect(shown.ours.run.code, describeOurs(shown.ours.run)).toBe(1);
    expect(shown.ours.run.stderr).toMatch(/tag feature, task 2, field title/);

    const set = await oracle(withBrokenFeature('feature'), ['set-status', '--id=1', '--status=done']);
    expect(set.theirs.run.code, describeRun(set.theirs.run)).toBe(0);
    expect((set.theirs.file as { feature: { tasks: Array<{ status: string }> } }).feature.tasks[0]!.status).toBe('done');
    expect(set.ours.run.code, describeOurs(set.ours.run)).toBe(1);
    expect(set.ours.bytes).toBe(set.before);
    // Both keep the task without a title as it was.
    expect((set.theirs.file as { feature: { tasks: Array<{ title: unknown }> } }).feature.tasks[1]!.title).toBeNull();
  });
});
