import { idKey, parseTaskRef, type TaskId } from '@taskmaster/protocol';
import { invalidParams } from '../errors.js';
import { requireTag, requireTask } from './lookup.js';
import type { WriteOp } from './op-types.js';

/**
 * `task.reorder`: moves a task to just before another of its siblings (top
 * level, or the same parent's subtasks), or to the end. Only the list's order
 * changes — no id, no dependency — so clients hear one `task.moved`.
 */
export const reorderTask: WriteOp<'task.reorder'> = (data, { id, before }, { tag }) => {
  const found = requireTask(requireTag(data, tag), tag, id);
  const list: Array<{ id: TaskId }> = found.kind === 'task' ? requireTag(data, tag).tasks : found.parent.subtasks!;
  // Where to, found before anything moves: a refused reorder leaves the file as it was.
  let target = list.length;
  if (before !== null) {
    const ref = parseTaskRef(before);
    // A subtask's sibling may be given as "5.3" or as 3, as Task Master writes dependencies.
    const key = found.kind === 'subtask' && ref?.subtaskId !== undefined && ref.taskId === idKey(found.parent.id) ? ref.subtaskId : idKey(before);
    target = list.findIndex((t) => idKey(t.id) === key);
    if (target < 0 || target === found.index) {
      throw invalidParams(`before: ${idKey(before)} is not another ${found.kind === 'task' ? 'task' : 'subtask of the same task'} in tag "${tag}"`, { id: idKey(id), tag });
    }
  }
  const [item] = list.splice(found.index, 1);
  // The list is one shorter past the place the item left.
  const index = target > found.index ? target - 1 : target;
  list.splice(index, 0, item!);
  return { tag, id: idKey(id), index };
};
