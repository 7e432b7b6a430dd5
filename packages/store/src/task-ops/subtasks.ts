import { dependencyFullId, idKey, nextId, type Subtask, type Task, type TaskId } from '@taskmaster/protocol';
import { invalidParams } from '../errors.js';
import { createTask } from './create-task.js';
import { cloneJson, newIdLike, requireTag, touchTag } from './lookup.js';
import { assertCanNest, parseRef, TagEdit, withOthers } from './move-task.js';
import type { WriteOp } from './op-types.js';

/**
 * `subtask.add`: a new subtask of `parentId` (`task`, as `task.create` with a
 * parent), or an existing task turned into one (`taskId`, Task Master's
 * `add-subtask --task-id`): it keeps its fields, gets the parent's next
 * subtask id and `parentTaskId`, and dependencies on it follow it (`6` →
 * `"5.4"`). Its own dependencies on top-level tasks are dropped, since a
 * plain id in a subtask names a sibling.
 */
export const addSubtask: WriteOp<'subtask.add'> = (data, params, ctx) => {
  const tag = ctx.tag;
  if (params.task !== undefined) {
    const created = createTask(data, tag, params.task, params.parentId);
    touchTag(requireTag(data, tag), ctx.now); // createTask stamps its own clock; the op's time is ctx.now
    return { tag: created.tag, id: created.id, task: cloneJson(created.task) };
  }
  if (params.taskId === undefined) throw invalidParams('give either "task" (a new subtask) or "taskId" (a task to convert)', { tag });
  const tagData = requireTag(data, tag);
  const parentRef = parseRef(params.parentId, 'parentId', tag);
  if (parentRef.subtaskId !== undefined) {
    throw invalidParams(`parentId: ${idKey(params.parentId)} is a subtask, and subtasks cannot have subtasks`, { id: idKey(params.parentId), tag });
  }
  const taskRef = parseRef(params.taskId, 'taskId', tag);
  if (taskRef.subtaskId !== undefined) {
    throw invalidParams(`taskId: ${idKey(params.taskId)} is already a subtask; move it to another parent with 'taskmaster move' (task.move)`, { id: idKey(params.taskId), tag });
  }
  const edit = new TagEdit(tagData, tag);
  const parent = edit.task(parentRef.taskId);
  const task = edit.task(taskRef.taskId);
  assertCanNest(edit, task, parent, 'taskId');

  const siblings = parent.subtasks ?? [];
  const id = newIdLike(siblings, nextId(siblings));
  // As Task Master: the task's fields in their order, the new id in place of its own, then parentTaskId.
  const sub = { ...task, id, parentTaskId: parent.id } as Subtask;
  edit.replace(task, sub);
  edit.tasks.splice(edit.indexOf(taskRef.taskId), 1);
  (parent.subtasks ??= []).push(sub);
  edit.rewrite();
  edit.writeBack(ctx.now);
  return { tag, id: `${idKey(parent.id)}.${idKey(id)}`, task: cloneJson(sub) as Task };
};

/** What a converted subtask keeps besides Task Master's fields: all but these. */
const NOT_KEPT = new Set(['id', 'parentTaskId']);

/**
 * `subtask.remove`: deletes subtasks (`"5.2"`), or with `convert` makes each
 * a task of its own (Task Master's `remove-subtask --convert`): the next task
 * id, at the end, the parent's priority, and the parent among its
 * dependencies. A parent left with no subtasks loses its `subtasks` field, as
 * with Task Master. Dependencies on a deleted subtask are removed; on a
 * converted one they name the new task where a task can (a subtask cannot
 * name a top-level task, so there they are removed).
 */
export const removeSubtasks: WriteOp<'subtask.remove'> = (data, params, ctx) => {
  const tag = ctx.tag;
  const tagData = requireTag(data, tag);
  const edit = new TagEdit(tagData, tag);
  const refs = [...new Map(params.ids.map((id) => [idKey(id), id])).entries()].map(([key, id]) => {
    const ref = parseRef(id, 'ids', tag);
    if (ref.subtaskId === undefined) throw invalidParams(`ids: ${key} is a task, not a subtask; delete tasks with 'taskmaster remove-task' (task.delete)`, { id: key, tag });
    edit.subtask({ taskId: ref.taskId, subtaskId: ref.subtaskId });
    return { key, ref: { taskId: ref.taskId, subtaskId: ref.subtaskId } };
  });

  const removed: Array<{ id: string; convertedTo?: string }> = [];
  const converted: Array<{ task: Task; parent: Task }> = [];
  for (const { key, ref } of refs) {
    const { parent, sub, index } = edit.subtask(ref);
    parent.subtasks!.splice(index, 1);
    if (parent.subtasks!.length === 0) delete parent.subtasks;
    if (!params.convert) {
      removed.push({ id: key });
      continue;
    }
    // Task Master's fields and order; we also keep the subtask's testStrategy and other fields, which it drops.
    const task = withOthers(
      {
        id: newIdLike(edit.tasks, nextId(edit.tasks)),
        title: sub.title,
        description: sub.description || '',
        details: sub.details || '',
        status: sub.status || 'pending',
        dependencies: [...(sub.dependencies ?? [])],
        priority: parent.priority || 'medium',
      },
      sub,
      NOT_KEPT,
    ) as Task;
    edit.replace(sub, task);
    edit.tasks.push(task);
    converted.push({ task, parent });
    removed.push({ id: key, convertedTo: idKey(task.id) });
  }
  edit.rewrite();
  for (const { task, parent } of converted) {
    const deps = (task.dependencies ??= []);
    if (!deps.some((d: TaskId) => dependencyFullId(d, undefined) === idKey(parent.id))) deps.push(parent.id);
  }
  edit.writeBack(ctx.now);
  return { tag, removed };
};

/**
 * `subtasks.clear`: empties the subtask lists of `ids`, or of every task of
 * the tag with `all` (Task Master's `clear-subtasks`); dependencies on the
 * cleared subtasks are removed. `cleared` has each of `ids` with its count
 * (0 when it had none), or with `all` the tasks that had subtasks.
 */
export const clearSubtasks: WriteOp<'subtasks.clear'> = (data, params, ctx) => {
  const tag = ctx.tag;
  const tagData = requireTag(data, tag);
  const edit = new TagEdit(tagData, tag);
  let targets: Task[];
  if (params.all) targets = edit.tasks;
  else if (params.ids) {
    const keys = [...new Map(params.ids.map((id) => [idKey(id), id])).entries()];
    targets = keys.map(([key, id]) => {
      const ref = parseRef(id, 'ids', tag);
      if (ref.subtaskId !== undefined) throw invalidParams(`ids: ${key} is a subtask; remove single subtasks with 'taskmaster remove-subtask' (subtask.remove)`, { id: key, tag });
      return edit.task(ref.taskId);
    });
  } else throw invalidParams('give either "ids" or "all": true', { tag });

  const cleared: Array<{ id: string; count: number }> = [];
  for (const task of targets) {
    const count = task.subtasks?.length ?? 0;
    if (count > 0) task.subtasks = [];
    if (!params.all || count > 0) cleared.push({ id: idKey(task.id), count });
  }
  edit.rewrite();
  edit.writeBack(ctx.now);
  return { tag, cleared };
};
