export { watchTasks } from './watch-tasks.js';
export { hashTasksFile } from './hash.js';
export type { TasksFileChange, TasksFileProblem, TasksWatcher, WatchOptions, WatchTasksOptions } from './types.js';
export type { WrittenIdentity } from './own-writes.js';
export { watchFileViaDirectory, type FileEvents } from './directory-watch.js';
