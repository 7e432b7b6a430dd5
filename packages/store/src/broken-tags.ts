import {
  brokenTagError,
  brokenTagNamed,
  DEFAULT_TAG,
  describeTagIssues,
  findTag,
  isLegacyTasksFile,
  tagProblemOf,
  type IssueLike,
  type TagProblem,
  type TaskmasterError,
  type TasksFile,
} from '@taskmaster/protocol';

/**
 * The store's side of per-tag validation (see protocol's tag-problems.ts): a
 * loaded file keeps the tags that did not validate as `brokenTags`; reads of
 * such a tag are refused, naming the task and field, while every other tag
 * works, and a write leaves an untouched broken tag exactly as it was.
 */

/** -32602 naming the task and field when `tag` is one of the file's broken tags. */
export function assertTagUsable(file: { brokenTags?: readonly TagProblem[] }, tag: string): void {
  const problem = brokenTagNamed(file.brokenTags, tag);
  if (problem) throw brokenTagError(problem);
}

/**
 * The broken tags of `before` still broken in `after`, a version made from it
 * by a write: those it holds as the very same objects, and those a merge left
 * broken (`brokenTagsStay` in draft-change.ts), each with its problem as it
 * now is. A broken tag a plain write touched was validated whole
 * (`validateTasksFileChange`), so it is fixed; a deleted one is gone.
 */
export function brokenTagsAfter(before: { data?: TasksFile; brokenTags?: readonly TagProblem[] }, after: TasksFile): TagProblem[] {
  if (!before.brokenTags?.length || !before.data) return [];
  const old = before.data;
  const legacy = isLegacyTasksFile(after);
  return before.brokenTags.flatMap((p) => {
    const kept = findTag(after, p.tag);
    if (kept === undefined) return [];
    if (kept === findTag(old, p.tag)) return [p];
    // Touched: one tag validated again, only for a write that touched a broken tag.
    const now = tagProblemOf(p.tag, legacy ? after : kept, legacy ? [] : [p.tag]);
    return now ? [now] : [];
  });
}

/**
 * The error for a write refused by `issues` when they lie in one of the
 * file's broken tags (the write touched it and left it invalid), naming the
 * task and field as a read of that tag does; undefined for other issues.
 */
export function brokenTagErrorFor(data: TasksFile, issues: readonly IssueLike[], brokenTags: readonly TagProblem[] | undefined): TaskmasterError | undefined {
  if (!brokenTags?.length || issues.length === 0) return undefined;
  const legacy = isLegacyTasksFile(data);
  const tag = legacy ? DEFAULT_TAG : String(issues[0]!.path[0]);
  if (!brokenTagNamed(brokenTags, tag)) return undefined;
  const inTag = legacy ? issues : issues.filter((i) => i.path[0] === tag);
  return brokenTagError(describeTagIssues(tag, legacy ? data : findTag(data, tag), inTag, legacy ? 0 : 1));
}
