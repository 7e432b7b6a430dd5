import { expect } from 'vitest';
import { describeRun, type TaskMasterRun } from '@taskmaster/task-master-runner';
import type { Json, Outcome } from './projects.js';

export * from './projects.js';

/** `taskmaster …` and what it said, for assertion messages. */
export function describeOurs(run: TaskMasterRun): string {
  const said = `${run.stderr}\n${run.stdout}`.trim().split('\n').slice(-4).join(' | ');
  return `taskmaster ${run.args.join(' ')} → code ${run.code} in ${run.ms} ms${said ? `: ${said}` : ''}`;
}

/** Both commands succeeded (Task Master's success keeps the comparison from being vacuous). */
export function expectBothSucceeded(outcome: Outcome): void {
  expect(outcome.theirs.run.code, describeRun(outcome.theirs.run)).toBe(0);
  expect(outcome.ours.run.code, describeOurs(outcome.ours.run)).toBe(0);
}

// ---------------------------------------------------------------------------------------------
// Normalising
// ---------------------------------------------------------------------------------------------

export interface NormalTask extends Json {
  id: string;
}
export type NormalFile = Record<string, { tasks: NormalTask[]; metadata?: Json } & Json>;

/**
 * tasks.json parsed for comparison. What a user never sees is made equal; nothing else is:
 * - ids and dependencies as strings (Task Master flips `1`/`"1"` between its two writers);
 * - `parentId: "undefined"`, which Task Master's tm-core stamps on subtasks it writes, dropped;
 * - a legacy file (`{tasks: [...]}`) read as its `master` tag.
 * Missing or extra fields stay differences.
 */
export function normalise(file: unknown): NormalFile {
  const data = file as Json;
  const tagged = (Array.isArray(data.tasks) ? { master: data } : data) as Record<string, Json>;
  const task = (t: Json, isSubtask: boolean): NormalTask => {
    const out: Json = { ...t, id: String(t.id) };
    if (Array.isArray(t.dependencies)) out.dependencies = (t.dependencies as unknown[]).map(String);
    if (Array.isArray(t.subtasks)) out.subtasks = (t.subtasks as Json[]).map((s) => task(s, true));
    if (isSubtask && out.parentId === 'undefined') delete out.parentId;
    return out as NormalTask;
  };
  const out: NormalFile = {};
  for (const [tag, value] of Object.entries(tagged)) {
    if (!value || typeof value !== 'object' || !Array.isArray(value.tasks)) {
      (out as Record<string, unknown>)[tag] = value;
      continue;
    }
    out[tag] = { ...value, tasks: (value.tasks as Json[]).map((t) => task(t, false)) };
  }
  return out;
}

/** Keys whose values are moments: replaced by {@link TIMESTAMP} when both sides have one. */
export const TIMESTAMP_KEYS = new Set([
  'created',
  'updated',
  'lastModified',
  'lastSwitched',
  'updatedAt',
  'createdAt',
  'completedAt',
  // copy-tag's `metadata.copiedFrom: {tag, date}` (both sides write it).
  'date',
  // A cross-tag move's `metadata.moveHistory: [{fromTag, toTag, timestamp}]` on the moved task (both sides write it).
  'timestamp',
]);
export const TIMESTAMP = '<timestamp>';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Walks `a` and `b` together (same keys, same array indexes) and replaces a timestamp by
 * {@link TIMESTAMP} on both sides where both have one. A timestamp only one side has (or a
 * timestamp against a non-timestamp) is left alone: that is a real difference.
 */
export function markTimestamps(a: unknown, b: unknown): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) markTimestamps(a[i], b[i]);
    return;
  }
  if (!isObject(a) || !isObject(b)) return;
  for (const key of Object.keys(a)) {
    if (!(key in b)) continue;
    const [x, y] = [a[key], b[key]];
    const moment = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v))) || typeof v === 'number';
    if (TIMESTAMP_KEYS.has(key) && moment(x) && moment(y)) {
      a[key] = TIMESTAMP;
      b[key] = TIMESTAMP;
    } else markTimestamps(x, y);
  }
}

/**
 * A deliberate difference from Task Master: applied to the normalised pair (deep copies)
 * before `expect(ours).toEqual(theirs)`. Each names what it forgives and why, and should
 * check what it forgives (throw when ours is not the improvement it claims).
 */
export interface Deliberate {
  name: string;
  reason: string;
  /** `outcome`: the raw files (untouched by normalising and marking) and the file before. */
  apply(pair: { ours: NormalFile; theirs: NormalFile }, outcome: Outcome): void;
}

/**
 * Task Master's set-status goes through tm-core, which replaces the tag's `metadata` with its
 * own (`version`, `lastModified`, `taskCount`, `completedCount`, `tags`) and so loses the
 * tag's `created` and `description` that every other verb (and `tags`) keeps. Ours keeps the
 * tag's metadata as it was, `updated` aside. Checked on ours (created and description as
 * before), then both sides' metadata of `tag` set aside; the tasks are still compared.
 */
export function keepsTagMetadataOf(tag: string, before: { created?: unknown; description?: unknown }): Deliberate {
  return {
    name: `set-status keeps ${tag}'s tag metadata`,
    reason: "tm-core's set-status replaces the tag's metadata, losing created and description; ours keeps them",
    apply({ ours, theirs }) {
      const kept = ours[tag]?.metadata ?? {};
      expect({ created: kept.created, description: kept.description }, `ours should keep ${tag}'s metadata`).toEqual(before);
      for (const file of [ours, theirs]) if (file[tag]) file[tag].metadata = { '<set aside>': 'tag metadata, see keepsTagMetadataOf' };
    },
  };
}

/**
 * Task Master rewrites the whole file on a write and fills in what a tag lacks on every tag
 * (the fixture's `loop` tag has no `created`/`description`: any Task Master write adds them);
 * ours changes only the tag(s) the verb is about. Checked: every other tag of ours is as it
 * was before, exactly. Then only the tag-metadata keys Task Master added to another tag
 * (`created`, `description`, `updated`, where the tag had none) are removed from its side;
 * anything else it changed in another tag stays a difference.
 */
export function onlyItsTags(...tags: string[]): Deliberate {
  const added = ['created', 'description', 'updated'];
  return {
    name: `ours changes only ${tags.join(', ')}`,
    reason: 'Task Master rewrites every tag (adding created/description to tag metadata that lacks them); ours leaves the other tags as they were',
    apply({ theirs }, outcome) {
      const before = JSON.parse(outcome.before) as Record<string, Json>;
      const oursRaw = outcome.ours.file as Record<string, Json>;
      const others = Object.keys(before).filter((t) => !tags.includes(t));
      for (const tag of others) expect(oursRaw[tag], `ours should leave tag ${tag} as it was`).toEqual(before[tag]);
      for (const tag of others) {
        const had = (before[tag]?.metadata ?? {}) as Json;
        const meta = theirs[tag]?.metadata;
        if (!meta) continue;
        for (const key of added) if (!(key in had)) delete meta[key];
      }
    },
  };
}

/**
 * Task Master's tm-core writer (set-status) gives every task of the tag that has no
 * `subtasks` an empty `subtasks: []`; ours leaves the tasks it does not change as they were.
 * Checked on ours (no `subtasks` where the file had none), then Task Master's added empty
 * lists removed; a non-empty list or any other field stays a difference.
 */
export function noEmptySubtasksAdded(tag: string): Deliberate {
  return {
    name: `ours adds no empty subtasks lists in ${tag}`,
    reason: "tm-core's writer adds `subtasks: []` to every task of the tag; ours writes only what changed",
    apply({ ours, theirs }, outcome) {
      const before = normalise(JSON.parse(outcome.before));
      for (const task of theirs[tag]?.tasks ?? []) {
        const was = before[tag]?.tasks.find((t) => t.id === task.id);
        if (!was || 'subtasks' in was || !Array.isArray(task.subtasks) || task.subtasks.length > 0) continue;
        const mine = ours[tag]?.tasks.find((t) => t.id === task.id);
        expect(mine && 'subtasks' in mine, `ours should not add subtasks to ${tag} task ${task.id}`).toBe(false);
        delete task.subtasks;
      }
    },
  };
}

const depsOf = (file: NormalFile, tag: string, id: string): string[] => {
  const task = findTask(file, tag, id);
  expect(task, `task ${id} of ${tag}`).toBeDefined();
  return (task!.dependencies as string[] | undefined) ?? [];
};

/**
 * Ours makes task `at` depend on `ours` where Task Master's file has `theirs` (ours follows the
 * task to its new id; Task Master's entry now names something else or nothing). Checked on
 * both sides, then ours mapped back (`ours` → `theirs`, in place; a duplicate this makes is
 * dropped, see `reason`) so the rest of the file is compared.
 */
export function rewritesDependency(d: { tag?: string; at: string; ours: string; theirs: string; reason: string }): Deliberate {
  const tag = d.tag ?? 'master';
  return {
    name: `${d.at} depends on ${d.ours} (Task Master: ${d.theirs})`,
    reason: d.reason,
    apply({ ours, theirs }) {
      expect(depsOf(ours, tag, d.at), `ours: ${d.at} should depend on ${d.ours}`).toContain(d.ours);
      expect(depsOf(theirs, tag, d.at), `Task Master: ${d.at} is expected to depend on ${d.theirs}`).toContain(d.theirs);
      expect(depsOf(theirs, tag, d.at), `Task Master: ${d.at} is not expected to depend on ${d.ours}`).not.toContain(d.ours);
      const task = findTask(ours, tag, d.at)!;
      task.dependencies = [...new Set((task.dependencies as string[]).map((x) => (x === d.ours ? d.theirs : x)))];
    },
  };
}

/**
 * Ours has removed task `at`'s dependency `dep`, which Task Master's file keeps (dangling, of
 * changed meaning, or a cycle). Checked on both sides, then removed from Task Master's side.
 */
export function dropsDependency(d: { tag?: string; at: string; dep: string; reason: string }): Deliberate {
  const tag = d.tag ?? 'master';
  return {
    name: `${d.at} no longer depends on ${d.dep}`,
    reason: d.reason,
    apply({ ours, theirs }) {
      expect(depsOf(ours, tag, d.at), `ours: ${d.at} should no longer depend on ${d.dep}`).not.toContain(d.dep);
      expect(depsOf(theirs, tag, d.at), `Task Master: ${d.at} is expected to keep ${d.dep}`).toContain(d.dep);
      const task = findTask(theirs, tag, d.at)!;
      task.dependencies = (task.dependencies as string[]).filter((x) => x !== d.dep);
    },
  };
}

/** Both files normalised, timestamps marked, the named deliberate differences applied. */
export function comparable(outcome: Outcome, deliberate: Deliberate[] = []): { ours: NormalFile; theirs: NormalFile } {
  // Deep copies: marking timestamps and the deliberate differences edit nested objects.
  const pair = { ours: normalise(structuredClone(outcome.ours.file)), theirs: normalise(structuredClone(outcome.theirs.file)) };
  markTimestamps(pair.ours, pair.theirs);
  for (const d of deliberate) d.apply(pair, outcome);
  return pair;
}

/**
 * The comparison: both commands succeeded and tasks.json is the same after both
 * (normalised), up to the deliberate differences listed.
 */
export function expectSameFile(outcome: Outcome, deliberate: Deliberate[] = []): void {
  expectBothSucceeded(outcome);
  const { ours: o, theirs: t } = comparable(outcome, deliberate);
  const forgiven = deliberate.length ? ` (deliberate differences: ${deliberate.map((d) => d.name).join('; ')})` : '';
  expect(o, `tasks.json after \`${outcome.ours.run.args.join(' ')}\`: ours (left) vs Task Master's${forgiven}`).toEqual(t);
}

/**
 * A read-only verb: our file's bytes are untouched, Task Master's is unchanged (normalised).
 * `theirsWrites`: Task Master is known to write on this read (its `tags` fills in missing tag
 * metadata — created, description, updated — and saves the file); a listing that writes is
 * not copied, so only ours is checked.
 */
export function expectUnchanged(outcome: Outcome, { theirsWrites = false } = {}): void {
  expectBothSucceeded(outcome);
  expect(outcome.ours.bytes, `taskmaster ${outcome.ours.run.args.join(' ')} changed tasks.json`).toBe(outcome.before);
  if (theirsWrites) return;
  const before = normalise(JSON.parse(outcome.before));
  const after = normalise(structuredClone(outcome.theirs.file));
  markTimestamps(after, before);
  expect(after, `task-master ${outcome.theirs.run.args.join(' ')} changed tasks.json (the oracle itself)`).toEqual(before);
}

// ---------------------------------------------------------------------------------------------
// Reading what each side printed
// ---------------------------------------------------------------------------------------------

/** The first JSON value a command printed (Task Master prints log lines before it and a box after it). */
export function printedJson(run: TaskMasterRun): any {
  const text = run.stdout;
  const start = text.search(/^[{[]/m);
  if (start < 0) throw new Error(`no JSON in the output of ${run.args.join(' ')} (code ${run.code}): ${text.slice(0, 400)} ${run.stderr.slice(0, 400)}`);
  // The end: the bracket that closes the first one, strings skipped.
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return JSON.parse(text.slice(start, i + 1));
    }
  }
  throw new Error(`unterminated JSON in the output of ${run.args.join(' ')}: ${text.slice(start, start + 400)}`);
}

export interface TagRow {
  name: string;
  tasks: number;
  done: number;
  current: boolean;
}

/** Task Master's `tags` table: `│ ● master (current) │ 4 │ 2 │ 1 │` (name, tasks, ready, done). */
export function taskMasterTags(run: TaskMasterRun): TagRow[] {
  const rows: TagRow[] = [];
  for (const line of run.stdout.split('\n')) {
    const cells = line.split('│').map((c) => c.trim());
    if (cells.length < 6) continue;
    const m = /^(●\s*)?(\S+)(\s+\(current\))?$/.exec(cells[1] ?? '');
    if (!m || !/^\d+$/.test(cells[2] ?? '')) continue;
    rows.push({ name: m[2]!, tasks: Number(cells[2]), done: Number(cells[4]), current: Boolean(m[1] || m[3]) });
  }
  return rows;
}

/** Our `tags --json` (`tags.list`: `{current, tags: [{name, taskCount, completedCount}]}`). */
export function ourTags(run: TaskMasterRun): TagRow[] {
  const j = printedJson(run) as { current: string; tags: Array<{ name: string; taskCount: number; completedCount: number }> };
  return j.tags.map((t) => ({ name: t.name, tasks: t.taskCount, done: t.completedCount, current: t.name === j.current }));
}

/**
 * `completedCount` (the Done column): ours counts `done` only; Task Master's `tags` counts
 * done, completed and cancelled (its isTaskComplete). Checked: ours is the number of `done`
 * tasks of each tag in the file; then Task Master's other two added back, so the rows can be
 * compared with Task Master's.
 */
export function withTaskMastersDoneCount(rows: TagRow[], before: string): TagRow[] {
  const file = normalise(JSON.parse(before));
  const count = (tag: string, statuses: string[]) => (file[tag]?.tasks ?? []).filter((t) => statuses.includes(t.status as string)).length;
  return rows.map((row) => {
    expect(row.done, `ours: tag ${row.name}'s completedCount should count done tasks only`).toBe(count(row.name, ['done']));
    return { ...row, done: row.done + count(row.name, ['completed', 'cancelled']) };
  });
}

export interface Problem {
  problem: 'missing' | 'self' | 'circular';
  id: string;
  /** For `missing`: the dependency that does not exist. */
  dependsOn?: string;
}

/**
 * Task Master's `validate-dependencies` lines:
 * `[ERROR]   [MISSING] Task 1.3: Subtask 1.3 depends on non-existent task/subtask 1.7 (Dependency: 1.7)`.
 * Its circular lines name each task in a chain, without the dependency.
 */
export function taskMasterProblems(run: TaskMasterRun): Problem[] {
  const problems: Problem[] = [];
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
    const m = /\[(MISSING|SELF|CIRCULAR)\] Task (\S+?):.*?(?:\(Dependency: (\S+)\))?$/.exec(line.trim());
    if (!m) continue;
    const problem = m[1]!.toLowerCase() as Problem['problem'];
    problems.push(problem === 'missing' ? { problem, id: m[2]!, dependsOn: m[3]! } : { problem, id: m[2]! });
  }
  return sortProblems(problems);
}

/** Our `validate-dependencies --json` (`dependencies.validate`: `{problems: [{id, dependsOn, problem}]}`), in Task Master's terms. */
export function ourProblems(run: TaskMasterRun): Problem[] {
  const j = printedJson(run) as { problems: Array<{ id: string; dependsOn: string; problem: Problem['problem'] }> };
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of j.problems) {
    const problem: Problem = p.problem === 'missing' ? { problem: p.problem, id: String(p.id), dependsOn: String(p.dependsOn) } : { problem: p.problem, id: String(p.id) };
    const key = JSON.stringify(problem);
    if (!seen.has(key)) out.push(problem);
    seen.add(key);
  }
  return sortProblems(out);
}

function sortProblems(problems: Problem[]): Problem[] {
  const key = (p: Problem) => `${p.problem} ${p.id} ${p.dependsOn ?? ''}`;
  return [...new Map(problems.map((p) => [key(p), p])).values()].sort((a, b) => key(a).localeCompare(key(b)));
}

/** The id Task Master's `next --format json` chose (`{task: {id, parentId?}}`; a subtask's id is `P.S`). */
export function taskMasterNext(run: TaskMasterRun): string | null {
  const j = printedJson(run) as { task?: { id: string | number } | null };
  return j.task ? String(j.task.id) : null;
}

/** The id our `next --json` chose (`tasks.next`: `{next: {id, parentId?}}`), as `P.S` for a subtask. */
export function ourNext(run: TaskMasterRun): string | null {
  const j = printedJson(run) as { next: { id: string; parentId?: string } | null };
  if (!j.next) return null;
  const { id, parentId } = j.next;
  return parentId && !id.includes('.') ? `${parentId}.${id}` : id;
}

/** Task `id` (`5` or `5.2`) of `tag` in a normalised file. */
export function findTask(file: NormalFile, tag: string, id: string): NormalTask | undefined {
  const [top, sub] = id.split('.');
  const task = file[tag]?.tasks.find((t) => t.id === top);
  if (sub === undefined) return task;
  return (task?.subtasks as NormalTask[] | undefined)?.find((s) => s.id === sub);
}
