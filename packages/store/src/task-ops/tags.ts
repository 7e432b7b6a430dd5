import { DEFAULT_TAG, findTag, isLegacyTasksFile, newTagNameProblem, type TagData, type TaggedTasksFile, type TasksFile } from '@taskmaster/protocol';
import { invalidParams } from '../errors.js';
import { cloneJson, readView, requireTag } from './lookup.js';
import type { WriteOp, WriteValue } from './op-types.js';
import { tagSummaries } from './read-ops.js';

/**
 * Tag verbs as Task Master 0.43.1 does them (`tag-management.js`: add-tag,
 * delete-tag, rename-tag, copy-tag, which `tm tags add|remove|rename|copy`
 * call too). Differences, each deliberate:
 * - only the tag the verb is about changes: Task Master rewrites the whole
 *   file (ids to numbers, metadata added to every tag lacking it);
 * - `copyFrom` naming no tag is refused (Task Master makes an empty tag);
 * - `tasks`, `tag`, `_rawTaggedData` and `metadata` are refused as new names:
 *   Task Master accepts them, then misreads or drops the tag;
 * - the current tag cannot be deleted: Task Master moves state.json's
 *   current tag to `master` then. Renaming it, state.json follows the new
 *   name on both (after-commit.ts).
 */

/** Names Task Master refuses for a new tag, in any case. */
const RESERVED_TAG_NAMES = ['master', 'main', 'default'];
/** The characters Task Master allows in a new tag's name. */
const TAG_NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
/**
 * Names Task Master allows but then misreads (its top-level keys of special
 * meaning): refused, unlike Task Master, with what would happen.
 */
const MISREAD_TAG_NAMES: Record<string, string> = {
  tasks: 'Task Master would then take the file for an untagged one, and its commands fail on every tag',
  tag: 'Task Master drops a tag of that name from tasks.json on its next write',
  _rawTaggedData: 'Task Master drops a tag of that name from tasks.json on its next write',
  metadata: "Task Master's tag list and tm-core commands skip a tag of that name",
};

/** `tag.add`: a new tag, last in the file, empty or with a copy of `copyFrom`'s tasks. */
export const addTag: WriteOp<'tag.add'> = (data, { name, copyFrom, description }, { now }) => {
  assertNewTagName(data, name, 'name');
  const source = copyFrom === undefined ? undefined : requireTag(data, copyFrom);
  const tasks = source ? cloneJson(readView(source.tasks)) : [];
  const tags = taggedForNewTag(data, now);
  tags[name] = {
    tasks,
    metadata: { created: now, updated: now, description: description || `Tag created on ${localDate(now)}` },
  };
  return { tag: summaryOf(data, name) };
};

/** `tag.delete`: removes a tag and its tasks; `master` cannot be deleted. */
export const deleteTag: WriteOp<'tag.delete'> = (data, { name }, { currentTag }) => {
  if (name === DEFAULT_TAG) throw invalidParams(`the ${DEFAULT_TAG} tag cannot be deleted`, { tag: name });
  const taskCount = requireTag(data, name).tasks.length;
  assertNotCurrent(name, currentTag);
  delete (data as TaggedTasksFile)[name];
  return { deleted: name, taskCount };
};

/**
 * `tag.rename`: the tag moves to its new name, last in the file as Task
 * Master writes it, its metadata noting `renamed: {from, date}`. The current
 * tag too: state.json follows it once the file is written (after-commit.ts).
 */
export const renameTag: WriteOp<'tag.rename'> = (data, { from, to }, { now }) => {
  if (from === DEFAULT_TAG) throw invalidParams(`the ${DEFAULT_TAG} tag cannot be renamed`, { tag: from });
  assertNewTagName(data, to, 'to', requireTag(data, from));
  const tags = data as TaggedTasksFile;
  const tagData = tags[from]!;
  delete tags[from];
  tags[to] = tagData;
  const meta = ensureMetadata(tagData, from, now);
  meta.renamed = { from, date: now };
  return { from, to };
};

/**
 * Task Master switches state.json's current tag to `master` when it deletes
 * the current one. Here a delete never moves a user's context (a board or
 * another client deleting the tag a CLI works on), and a current tag that no
 * longer exists would break every later command: so switch first.
 */
function assertNotCurrent(tag: string, currentTag: string): void {
  if (tag !== currentTag) return;
  throw invalidParams(`tag "${tag}" is the current tag and cannot be deleted; switch to another first (taskmaster use-tag ${DEFAULT_TAG})`, { tag });
}

/** `tag.copy`: a new tag, last in the file, with a copy of `from`'s tasks and metadata noting `copiedFrom`. */
export const copyTag: WriteOp<'tag.copy'> = (data, { from, to, description }, { now }) => {
  const source = requireTag(data, from);
  assertNewTagName(data, to, 'to');
  const tasks = cloneJson(readView(source.tasks));
  const tags = taggedForNewTag(data, now);
  tags[to] = {
    tasks,
    metadata: {
      created: now,
      updated: now,
      description: description || `Copy of "${from}" created on ${localDate(now)}`,
      copiedFrom: { tag: from, date: now },
    },
  };
  return { tag: summaryOf(data, to) };
};

/**
 * Checks a name for a new tag as Task Master does (letters, digits, `-` and
 * `_`; not master, main or default in any case), and that no tag has it.
 * `renaming` is the tag being renamed: its own name is taken too.
 */
function assertNewTagName(data: TasksFile, name: string, field: string, renaming?: TagData): void {
  const problem = newTagNameProblem(name);
  if (problem) throw invalidParams(`${field}: ${problem}`, { tag: name });
  if (!TAG_NAME_PATTERN.test(name)) {
    throw invalidParams(`${field}: tag name "${name}" can only contain letters, numbers, hyphens and underscores`, { tag: name });
  }
  if (Object.prototype.hasOwnProperty.call(MISREAD_TAG_NAMES, name)) {
    throw invalidParams(`${field}: a tag cannot be named "${name}": ${MISREAD_TAG_NAMES[name]}; choose another name`, { tag: name });
  }
  if (RESERVED_TAG_NAMES.includes(name.toLowerCase())) {
    throw invalidParams(`${field}: "${name}" is a reserved tag name (${RESERVED_TAG_NAMES.join(', ')}); choose another`, { tag: name });
  }
  const existing = findTag(data, name);
  if (existing) {
    const same = existing === renaming;
    throw invalidParams(`${field}: tag "${name}" already exists${same ? ' (it is the tag being renamed)' : ''}; choose another name`, { tag: name });
  }
}

/**
 * The file's tags, ready for a new one. A legacy untagged file (`{tasks,
 * metadata}`) is first turned into the tagged format with its content as
 * `master`, as Task Master does on any write: `tasks` and `metadata` first,
 * metadata completed as Task Master completes it (`created`, a description).
 * Unlike Task Master, other top-level fields are kept (in `master`), not dropped.
 */
function taggedForNewTag(data: TasksFile, now: string): TaggedTasksFile {
  if (!isLegacyTasksFile(data)) return data;
  const root = data as Record<string, unknown>;
  const master: Record<string, unknown> = { tasks: root.tasks };
  if ('metadata' in root) master.metadata = root.metadata;
  for (const key of Object.keys(root)) {
    if (!(key in master)) master[key] = root[key];
  }
  for (const key of Object.keys(root)) delete root[key];
  const tags = root as TaggedTasksFile;
  tags[DEFAULT_TAG] = master as TagData;
  ensureMetadata(tags[DEFAULT_TAG], DEFAULT_TAG, now);
  return tags;
}

/**
 * The tag's metadata, completed as Task Master completes every tag's when it
 * reads the file: made when missing (`created`, `updated`, description
 * `Tasks for <tag> context`), else given `created` and a description when
 * they are missing (empty counts as missing there).
 */
function ensureMetadata(tagData: TagData, tag: string, now: string): NonNullable<TagData['metadata']> {
  const description = `Tasks for ${tag} context`;
  if (!tagData.metadata) {
    tagData.metadata = { created: now, updated: now, description };
    return tagData.metadata;
  }
  const meta = tagData.metadata;
  if (!meta.created) meta.created = now;
  if (!meta.description) meta.description = description;
  return meta;
}

/** Task Master's date in descriptions (`Tag created on 6/14/2025`): the local date of `now`. */
function localDate(now: string): string {
  return new Date(now).toLocaleDateString();
}

/** The new tag's summary, as `tags.list` gives it. */
function summaryOf(data: TasksFile, name: string): WriteValue<'tag.add'>['tag'] {
  return tagSummaries(readView(data)).find((t) => t.name === name)!;
}
