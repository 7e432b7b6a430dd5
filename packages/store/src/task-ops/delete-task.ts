import { dependencyFullId, idKey, type Subtask, type Task, type TaskId, type TasksFile } from '@taskmaster/protocol';
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

  if (found.kind === 'task') tagData.tasks.splice(found.index, 1);
  else found.parent.subtasks!.splice(found.index, 1);
  // A dependency names what it depends on by its full id, by protocol's rule (in a subtask a plain id is a sibling).
  const isDeleted = (dep: TaskId, owner: Task, isSubtask: boolean) => {
    const full = dependencyFullId(dep, isSubtask ? idKey(owner.id) : undefined);
    return full === deletedId || (found.kind === 'task' && full.startsWith(`${deletedId}.`));
  };

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
