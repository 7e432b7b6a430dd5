import { idKey, type Subtask, type Task, type TaskId, type TasksFile } from '@taskmaster/protocol';
import { fullIdOf, readView, requireTag, requireTask, touchTag } from './lookup.js';

/** What a delete returns: the deleted id and the tasks that no longer depend on it. */
export interface DeletedTask {
  tag: string;
  id: string;
  removedFrom: string[];
}

/**
 * Deletes a task (with its subtasks) or a subtask (`"5.2"`), then removes
 * every dependency on what was deleted: `5` / `"5"` and `"5.x"` for a task,
 * `"5.2"` anywhere and `2` among 5's other subtasks for a subtask.
 */
export function deleteTask(data: TasksFile, tag: string, id: TaskId): DeletedTask {
  const tagData = requireTag(data, tag);
  const found = requireTask(tagData, tag, id);
  const deletedId = fullIdOf(found);

  let isDeleted: (dep: TaskId, owner: Task, isSubtask: boolean) => boolean;
  if (found.kind === 'task') {
    tagData.tasks.splice(found.index, 1);
    // In a subtask a plain id (`2` or `"2"`) is a sibling, so only `"5.x"` can name task 5's parts.
    isDeleted = (dep, _owner, isSubtask) => {
      const key = idKey(dep);
      return (!isSubtask && key === deletedId) || key.startsWith(`${deletedId}.`);
    };
  } else {
    const parentId = idKey(found.parent.id);
    const subId = idKey(found.task.id);
    found.parent.subtasks!.splice(found.index, 1);
    isDeleted = (dep, owner, isSubtask) => {
      const key = idKey(dep);
      return key === deletedId || (isSubtask && idKey(owner.id) === parentId && key === subId);
    };
  }

  const removedFrom: string[] = [];
  // Scanned in a plain view; only the items that change are touched in the draft.
  const view = readView(tagData.tasks);
  view.forEach((task, i) => {
    const deleted = (dep: TaskId) => isDeleted(dep, task, false);
    if (task.dependencies?.some(deleted)) {
      dropDependencies(tagData.tasks[i]!, deleted);
      removedFrom.push(idKey(task.id));
    }
    (task.subtasks ?? []).forEach((sub, j) => {
      const deletedHere = (dep: TaskId) => isDeleted(dep, task, true);
      if (!sub.dependencies?.some(deletedHere)) return;
      dropDependencies(tagData.tasks[i]!.subtasks![j]!, deletedHere);
      removedFrom.push(`${idKey(task.id)}.${idKey(sub.id)}`);
    });
  });
  touchTag(tagData, new Date().toISOString());
  return { tag, id: deletedId, removedFrom };
}

function dropDependencies(item: Task | Subtask, isDeleted: (dep: TaskId) => boolean): void {
  item.dependencies = (item.dependencies ?? []).filter((d) => !isDeleted(d));
}
