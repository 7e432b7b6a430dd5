import type { Command } from './command.js';

/**
 * Headings of `taskmaster --help`, in order: Task Master's own (its
 * `displayHelp`) for the verbs it has, then TaskMaster Sync's.
 */
export const GROUPS = [
  'Project Setup & Configuration',
  'Task Management',
  'Subtask Management',
  'Task Navigation & Viewing',
  'Tag Management',
  'Dependency Management',
  'Live Sync',
  'History',
  'SPARC Modes',
  'Team Sync',
] as const;
export type CommandGroup = (typeof GROUPS)[number];

/** A command's words, one-line summary, help heading and lazy loader (so start-up loads one command). */
export interface CommandEntry {
  name: string;
  summary: string;
  group: CommandGroup;
  load: () => Promise<{ command: Command }>;
}

/** Every command, in the order `taskmaster --help` lists them within their group. */
export const COMMANDS: CommandEntry[] = [
  { name: 'init', group: 'Project Setup & Configuration', summary: 'create .taskmaster in this project', load: () => import('./commands/init.js') },
  { name: 'list', group: 'Task Management', summary: 'list tasks', load: () => import('./commands/list.js') },
  { name: 'set-status', group: 'Task Management', summary: 'set the status of tasks or subtasks', load: () => import('./commands/set-status.js') },
  { name: 'update-task', group: 'Task Management', summary: 'change fields of a task', load: () => import('./commands/update-task.js') },
  { name: 'add-task', group: 'Task Management', summary: 'add a task or subtask', load: () => import('./commands/add-task.js') },
  { name: 'remove-task', group: 'Task Management', summary: 'remove tasks or subtasks', load: () => import('./commands/remove-task.js') },
  { name: 'move', group: 'Task Management', summary: 'move tasks to new ids or to another tag', load: () => import('./commands/move.js') },
  { name: 'add-subtask', group: 'Subtask Management', summary: 'add a subtask, or turn a task into one', load: () => import('./commands/add-subtask.js') },
  { name: 'remove-subtask', group: 'Subtask Management', summary: 'remove subtasks, or turn them into tasks', load: () => import('./commands/remove-subtask.js') },
  { name: 'clear-subtasks', group: 'Subtask Management', summary: 'remove every subtask of some or all tasks', load: () => import('./commands/clear-subtasks.js') },
  { name: 'next', group: 'Task Navigation & Viewing', summary: 'show the next task to work on', load: () => import('./commands/next.js') },
  { name: 'show', group: 'Task Navigation & Viewing', summary: 'show tasks or subtasks and their SPARC mode', load: () => import('./commands/show.js') },
  { name: 'tags', group: 'Tag Management', summary: 'list tags with their task counts', load: () => import('./commands/tags.js') },
  { name: 'add-tag', group: 'Tag Management', summary: 'create a tag, empty or as a copy', load: () => import('./commands/add-tag.js') },
  { name: 'use-tag', group: 'Tag Management', summary: 'make a tag the current one', load: () => import('./commands/use-tag.js') },
  { name: 'delete-tag', group: 'Tag Management', summary: 'delete a tag and its tasks', load: () => import('./commands/delete-tag.js') },
  { name: 'rename-tag', group: 'Tag Management', summary: 'rename a tag', load: () => import('./commands/rename-tag.js') },
  { name: 'copy-tag', group: 'Tag Management', summary: 'copy a tag with its tasks to a new tag', load: () => import('./commands/copy-tag.js') },
  { name: 'add-dependency', group: 'Dependency Management', summary: 'make a task depend on another', load: () => import('./commands/add-dependency.js') },
  { name: 'remove-dependency', group: 'Dependency Management', summary: 'remove a dependency of a task', load: () => import('./commands/remove-dependency.js') },
  { name: 'validate-dependencies', group: 'Dependency Management', summary: 'report dependencies that cannot hold', load: () => import('./commands/validate-dependencies.js') },
  { name: 'fix-dependencies', group: 'Dependency Management', summary: 'remove dependencies that cannot hold', load: () => import('./commands/fix-dependencies.js') },
  { name: 'board', group: 'Live Sync', summary: 'open the live board in a browser (starts the sync server if needed)', load: () => import('./commands/board.js') },
  { name: 'watch', group: 'Live Sync', summary: 'print live changes until Ctrl-C', load: () => import('./commands/watch.js') },
  { name: 'sync server start', group: 'Live Sync', summary: 'start the sync server (daemon or --foreground)', load: () => import('./commands/sync-server-start.js') },
  { name: 'sync server stop', group: 'Live Sync', summary: 'stop the sync server', load: () => import('./commands/sync-server-stop.js') },
  { name: 'sync server status', group: 'Live Sync', summary: 'show the sync server, its tags and connections', load: () => import('./commands/sync-server-status.js') },
  { name: 'put-back', group: 'Live Sync', summary: 'put back a change another program wrote over', load: () => import('./commands/put-back.js') },
  { name: 'dismiss', group: 'Live Sync', summary: 'keep what another program wrote over a change, and drop its notice', load: () => import('./commands/dismiss.js') },
  { name: 'sync', group: 'Live Sync', summary: 're-read tasks.json on the server and push changes to clients', load: () => import('./commands/sync.js') },
  { name: 'history list', group: 'History', summary: 'list snapshots of tasks.json', load: () => import('./commands/history-list.js') },
  { name: 'history restore', group: 'History', summary: 'restore tasks.json from a snapshot', load: () => import('./commands/history-restore.js') },
  { name: 'sparc list', group: 'SPARC Modes', summary: 'print the SPARC mode mappings', load: () => import('./commands/sparc-list.js') },
  { name: 'sparc set', group: 'SPARC Modes', summary: 'map a keyword or type:X to a SPARC mode', load: () => import('./commands/sparc-set.js') },
  { name: 'team join', group: 'Team Sync', summary: 'join a team project on PostgreSQL (sync across machines)', load: () => import('./commands/team-join.js') },
  { name: 'team status', group: 'Team Sync', summary: 'show team sync: connected, last seq, outbox, lag', load: () => import('./commands/team-status.js') },
  { name: 'team leave', group: 'Team Sync', summary: 'stop syncing this project with its team', load: () => import('./commands/team-leave.js') },
  { name: 'sparc remove', group: 'SPARC Modes', summary: 'remove a SPARC mapping', load: () => import('./commands/sparc-remove.js') },
];

/**
 * Other words for a command: defaults of command groups, and Task Master's
 * aliases (`ls`, `status`) and its `tags <sub>` spellings of the tag verbs.
 */
export const ALIASES: Record<string, string> = {
  history: 'history list',
  sparc: 'sparc list',
  ls: 'list',
  status: 'set-status',
  'tags list': 'tags',
  'tags add': 'add-tag',
  'tags use': 'use-tag',
  'tags remove': 'delete-tag',
  'tags rename': 'rename-tag',
  'tags copy': 'copy-tag',
};

/**
 * Task Master 0.43.1's commands this CLI leaves to Task Master, each with what
 * it does: most ask an AI model, which TaskMaster Sync never calls. Named so
 * that `taskmaster expand` says where to go instead of "unknown command".
 */
export const TASK_MASTER_ONLY: Record<string, string> = {
  'parse-prd': 'it asks an AI model to write tasks from a PRD',
  expand: 'it asks an AI model to break tasks into subtasks',
  'analyze-complexity': 'it asks an AI model to score the tasks',
  update: 'it asks an AI model to rewrite tasks from new requirements',
  'update-subtask': 'it asks an AI model to add notes to a subtask',
  research: 'it asks an AI model, with the project as context',
  models: 'it sets the AI models Task Master uses',
  'complexity-report': "it prints the report of Task Master's analyze-complexity",
  generate: 'it writes a text file per task',
  'sync-readme': 'it writes the tasks into README.md',
};

/**
 * The command named by the leading words of `argv` (longest match) and the
 * arguments after them.
 */
export function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  const words: string[] = [];
  for (const a of argv.slice(0, 3)) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const entry = COMMANDS.find((c) => c.name === name) ?? COMMANDS.find((c) => c.name === ALIASES[name]);
    if (entry) return { entry, rest: argv.slice(n) };
  }
  return undefined;
}
