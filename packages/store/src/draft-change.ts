import { Immer } from 'immer';
import {
  ChangedPositions,
  diffTasksFiles,
  ErrorCode,
  invalidFromIssues,
  isLegacyTasksFile,
  issuesOf,
  TaskmasterError,
  validateTasksFileChange,
  withoutTags,
  type TagProblem,
  type TaskChange,
  type TasksFile,
} from '@taskmaster/protocol';
import { brokenTagErrorFor } from './broken-tags.js';
import { detached } from './detached.js';
import { assertFieldSizes } from './field-limits.js';
import { freezeVersion } from './freeze-version.js';

/** Drafts whose result is frozen by {@link freezeVersion}: objects only, not immer's deep freeze of every list. */
const immer = new Immer({ autoFreeze: false });

/** A change made on a copy-on-write draft: validated and diffed, not yet written anywhere. */
export interface DraftedChange<T> {
  /** False when `fn` changed nothing. */
  changed: boolean;
  /** What `fn` returned, with drafts replaced by plain copies. */
  value: T;
  /** The new version (sharing every untouched object with the old one; unchanged: the old one). */
  data: TasksFile;
  /** `diffTasksFiles(before, data)`. */
  changes: TaskChange[];
}

/** What a change is checked against: the version's broken tags (left as they are) and the field size limit. */
export interface DraftRules {
  /** False when no file exists yet: the result is validated whole. */
  exists: boolean;
  brokenTags: readonly TagProblem[];
  maxFieldBytes: number;
  /** Count the change as one even when nothing changed (a forced write). */
  force?: boolean;
  /**
   * The broken tags may stay broken, changed (a tagged file's): the merge of
   * another writer's version with ours, which keeps our changes to a tag that
   * writer left broken instead of refusing every write until it is fixed.
   * They are left out of the validation; every other tag is checked as ever.
   */
  brokenTagsStay?: boolean;
}

/**
 * Runs `fn` (synchronous) on a draft of `before`; validates what changed and
 * diffs it. Throws -32602 for an invalid result or an oversized field, so
 * nothing invalid is ever announced or written. Pure: no file is touched.
 */
export function draftChange<T>(before: TasksFile, fn: (data: TasksFile) => T, rules: DraftRules): DraftedChange<T> {
  // Copy-on-write: fn edits a draft; the new version shares every object fn did not touch.
  const draft = immer.createDraft(before);
  const returned = fn(draft);
  if (returned instanceof Promise) {
    throw new TaskmasterError(ErrorCode.InternalError, 'a write needs a synchronous function: the file is locked only while it runs');
  }
  const value = detached(returned);
  const data = immer.finishDraft(draft) as TasksFile;
  if (data === before && !rules.force) return { changed: false, value, data: before, changes: [] };
  // Where the lists changed, found once for the three passes below.
  const positions = new ChangedPositions();
  freezeVersion(data, before, positions);
  const staying = rules.brokenTagsStay && rules.exists && !isLegacyTasksFile(before) ? rules.brokenTags.map((p) => p.tag) : [];
  assertStillValid(rules.exists ? withoutTags(before, staying) : undefined, withoutTags(data, staying), staying.length > 0 ? [] : rules.brokenTags, positions);
  // Cheap: unchanged tasks are the same objects in both versions.
  const changes = diffTasksFiles(rules.exists ? before : undefined, data, positions);
  assertFieldSizes(changes, rules.maxFieldBytes);
  return { changed: true, value, data, changes };
}

/** Rejects a change whose result would not be a valid tasks file (checking only what changed). */
function assertStillValid(before: TasksFile | undefined, data: TasksFile, brokenTags: readonly TagProblem[], positions: ChangedPositions): void {
  try {
    // Broken tags the change leaves untouched are not checked: they go back as they were.
    validateTasksFileChange(before, data, brokenTags, positions);
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    throw brokenTagErrorFor(data, issues, brokenTags) ?? invalidFromIssues(issues, 'the change would make tasks.json invalid, nothing was written: ');
  }
}
