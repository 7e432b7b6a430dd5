import { diffTasksFiles, type TasksFile } from '@taskmaster/protocol';
import { expect, it } from 'vitest';
import { LocalBrokenTags, onlyTag } from '../src/broken-tags.js';

const task = (id: number, title: string | null) => ({ id, title, status: 'pending' });
const file = (tags: Record<string, Array<ReturnType<typeof task>>>) => Object.fromEntries(Object.entries(tags).map(([tag, tasks]) => [tag, { tasks }])) as unknown as TasksFile;

it('reports a tag fixed by a version written whole, with the last version before it broke', () => {
  const good = file({ master: [task(1, 'One')], feature: [task(1, 'Feature')] });
  const tags = new LocalBrokenTags(good);
  const broken = file({ master: [task(1, 'One')], feature: [task(1, null)] });
  expect(tags.noteWhole(good, broken, ['feature'])).toEqual([]);
  expect(tags.isBroken('feature')).toBe(true);
  // Still broken while edited again: the last good version stays the one before the break.
  const stillBroken = file({ master: [task(1, 'One')], feature: [task(1, null), task(2, 'Added while broken')] });
  expect(tags.noteWhole(broken, stillBroken, ['feature'])).toEqual([]);
  const fixed = file({ master: [task(1, 'One')], feature: [task(1, 'Fixed'), task(2, 'Added while broken')] });
  expect(tags.noteWhole(stillBroken, fixed, [])).toEqual([{ tag: 'feature', lastGood: onlyTag(good, 'feature') }]);
  expect(tags.isBroken('feature')).toBe(false);
  // What travels: everything that changed in the tag since it was last good.
  const changes = diffTasksFiles(onlyTag(good, 'feature'), onlyTag(fixed, 'feature'));
  expect(changes.map((c) => [c.event, c.payload.tag, c.payload.id])).toEqual([
    ['task.updated', 'feature', '1'],
    ['task.created', 'feature', '2'],
  ]);
});

it('reports a tag that came broken and was fixed as new: no tag of that name in its last good version', () => {
  const start = file({ master: [task(1, 'One')] });
  const tags = new LocalBrokenTags(start);
  tags.noteWhole(start, file({ master: [task(1, 'One')], feature: [task(1, null)] }), ['feature']);
  const fixed = file({ master: [task(1, 'One')], feature: [task(1, 'Fixed')] });
  const [found] = tags.noteWhole(file({ master: [task(1, 'One')], feature: [task(1, null)] }), fixed, []);
  expect(Object.keys(onlyTag(found!.lastGood, 'feature'))).toEqual([]);
  expect(diffTasksFiles(onlyTag(found!.lastGood, 'feature'), onlyTag(fixed, 'feature')).map((c) => [c.event, c.payload.id])).toEqual([['task.created', '1']]);
});

it('forgets a broken tag a commit deleted, and one broken since before it started watching', () => {
  const brokenAtStart = file({ master: [task(1, 'One')], old: [task(1, null)], feature: [task(1, 'Feature')] });
  const tags = new LocalBrokenTags(brokenAtStart);
  expect(tags.isBroken('old')).toBe(true);
  const featureBroken = file({ master: [task(1, 'One')], old: [task(1, null)], feature: [task(1, null)] });
  tags.noteWhole(brokenAtStart, featureBroken, ['old', 'feature']);
  // A commit deletes `feature`; a later outside write brings back a valid tag of that name and fixes `old`.
  const deleted = file({ master: [task(1, 'One')], old: [task(1, null)] });
  tags.noteCommit(deleted);
  expect(tags.isBroken('feature')).toBe(false);
  // Neither has a last good version to merge from: `feature` is a new tag, `old` was never seen good.
  expect(tags.noteWhole(deleted, file({ master: [task(1, 'One')], old: [task(1, 'Fixed')], feature: [task(1, 'Again')] }), [])).toEqual([]);
  expect(tags.isBroken('old')).toBe(false);
});

it('names the broken tags of the local file, and of a version a commit made from it before it is noted', () => {
  const start = file({ master: [task(1, 'One')], feature: [task(1, 'Feature')] });
  const tags = new LocalBrokenTags(start);
  expect(tags.in(start)).toEqual([]);
  const broken = file({ master: [task(1, 'One')], feature: [task(1, null)] });
  tags.noteWhole(start, broken, ['feature']);
  expect(tags.in(broken)).toEqual(['feature']);
  // A commit deleted the tag: clients hold that version before the file does.
  expect(tags.in(file({ master: [task(1, 'One')] }))).toEqual([]);
  // A name the server gives for a tag the version lacks is no broken tag.
  tags.noteWhole(broken, start, ['gone']);
  expect(tags.in(start)).toEqual([]);
  expect(tags.isBroken('gone')).toBe(false);
});

it('takes back the last good version of a tag still broken at start, and reports one fixed while no server ran', () => {
  const good = file({ master: [task(1, 'One')], feature: [task(1, 'Feature')], other: [task(1, 'Other')] });
  const before = new LocalBrokenTags(good);
  const broken = file({ master: [task(1, 'One')], feature: [task(1, null)], other: [task(1, null)] });
  before.noteWhole(good, broken, ['feature', 'other']);
  const memory = before.remembered;
  expect([...memory.keys()]).toEqual(['feature', 'other']);

  // Restarted with `feature` still broken and `other` fixed meanwhile.
  const atStart = file({ master: [task(1, 'One')], feature: [task(1, null)], other: [task(1, 'Fixed while stopped')] });
  const tags = new LocalBrokenTags(atStart, memory);
  expect(tags.fixedAtStart).toEqual([{ tag: 'other', lastGood: onlyTag(good, 'other') }]);
  expect([...tags.remembered.keys()]).toEqual(['feature']);
  const fixed = file({ master: [task(1, 'One')], feature: [task(1, 'Fixed')], other: [task(1, 'Fixed while stopped')] });
  expect(tags.noteWhole(atStart, fixed, [])).toEqual([{ tag: 'feature', lastGood: onlyTag(good, 'feature') }]);
  expect(tags.remembered.size).toBe(0);
});

it('keeps the identity of its memory while nothing in it changes', () => {
  const good = file({ master: [task(1, 'One')], feature: [task(1, 'Feature')] });
  const tags = new LocalBrokenTags(good);
  const empty = tags.remembered;
  tags.noteWhole(good, good, []);
  expect(tags.remembered).toBe(empty);
  const broken = file({ master: [task(1, 'One')], feature: [task(1, null)] });
  tags.noteWhole(good, broken, ['feature']);
  const once = tags.remembered;
  expect(once).not.toBe(empty);
  tags.noteWhole(broken, file({ master: [task(1, 'Two')], feature: [task(1, null)] }), ['feature']);
  tags.noteCommit(broken);
  expect(tags.remembered).toBe(once);
});

it('takes the team\'s version of a tag broken before it started watching as its last good one, keeping those it saw break', () => {
  const team = file({ master: [task(1, 'One')], old: [task(1, 'Old')], feature: [task(1, 'Feature')] });
  const atStart = file({ master: [task(1, 'One')], old: [task(1, null)], fresh: [task(1, null)], feature: [task(1, 'Feature')] });
  const tags = new LocalBrokenTags(atStart);
  const broken = file({ master: [task(1, 'One')], old: [task(1, null)], fresh: [task(1, null)], feature: [task(1, null)] });
  tags.noteWhole(atStart, broken, ['old', 'fresh', 'feature']);
  tags.assumeLastGood(team);
  expect(tags.remembered).toEqual(
    new Map([
      ['feature', onlyTag(atStart, 'feature')],
      ['old', onlyTag(team, 'old')],
      ['fresh', onlyTag(team, 'fresh')],
    ]),
  );
  // `fresh` is not the team's: fixed, it travels as new.
  const [found] = tags.noteWhole(broken, file({ master: [task(1, 'One')], old: [task(1, null)], fresh: [task(1, 'Fixed')], feature: [task(1, null)] }), ['old', 'feature']);
  expect(found).toEqual({ tag: 'fresh', lastGood: {} });
});
