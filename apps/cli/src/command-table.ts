import type { Command } from './command.js';

/** A command's words, one-line summary and lazy loader (so start-up loads one command). */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ command: Command }>;
}

/** Every command, in the order `taskmaster --help` lists them. */
export const COMMANDS: CommandEntry[] = [
  { name: 'init', summary: 'create .taskmaster in this project', load: () => import('./commands/init.js') },
  { name: 'list', summary: 'list tasks', load: () => import('./commands/list.js') },
  { name: 'show', summary: 'show one task or subtask and its SPARC mode', load: () => import('./commands/show.js') },
  { name: 'add-task', summary: 'add a task or subtask', load: () => import('./commands/add-task.js') },
  { name: 'update-task', summary: 'change fields of a task', load: () => import('./commands/update-task.js') },
  { name: 'set-status', summary: 'set the status of tasks or subtasks', load: () => import('./commands/set-status.js') },
  { name: 'remove-task', summary: 'remove a task or subtask', load: () => import('./commands/remove-task.js') },
  { name: 'watch', summary: 'print live changes until Ctrl-C', load: () => import('./commands/watch.js') },
  { name: 'history list', summary: 'list snapshots of tasks.json', load: () => import('./commands/history-list.js') },
  { name: 'history restore', summary: 'restore tasks.json from a snapshot', load: () => import('./commands/history-restore.js') },
  { name: 'sync server start', summary: 'start the sync server (daemon or --foreground)', load: () => import('./commands/sync-server-start.js') },
  { name: 'sync server stop', summary: 'stop the sync server', load: () => import('./commands/sync-server-stop.js') },
  { name: 'sync server status', summary: 'show the sync server, its tags and connections', load: () => import('./commands/sync-server-status.js') },
  { name: 'sync', summary: 're-read tasks.json on the server and push changes to clients', load: () => import('./commands/sync.js') },
  { name: 'sparc list', summary: 'print the SPARC mode mappings', load: () => import('./commands/sparc-list.js') },
  { name: 'sparc set', summary: 'map a keyword or type:X to a SPARC mode', load: () => import('./commands/sparc-set.js') },
  { name: 'sparc remove', summary: 'remove a SPARC mapping', load: () => import('./commands/sparc-remove.js') },
];

/** Words that alone mean a default sub-command. */
export const ALIASES: Record<string, string> = {
  history: 'history list',
  sparc: 'sparc list',
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
