import { createTask } from './create-task.js';
import { deleteTask } from './delete-task.js';
import { setStatus } from './set-status.js';
import { updateTask } from './update-task.js';

export type { CreatedTask } from './create-task.js';
export type { UpdatedTask } from './update-task.js';
export type { StatusChange } from './set-status.js';
export type { DeletedTask } from './delete-task.js';

/**
 * Pure operations on a loaded tasks file, for use inside `store.transact`
 * (the server batches several in one transaction). Each checks its input
 * first and throws a TaskmasterError before touching `data`, so a failed op
 * leaves the file as it was and the others in the batch still apply.
 */
export const taskOps = { createTask, updateTask, setStatus, deleteTask };
