import { parseCommandArgs, renderHelp } from './command.js';
import { COMMANDS, findCommand, GROUPS, TASK_MASTER_ONLY } from './command-table.js';
import { ExitCode, EXIT_CODES_HELP } from './exit-codes.js';
import { note, say, silence } from './output.js';
import { reportError } from './report-error.js';

/** The package's version, put in by tsup at build time. */
declare const __CLI_VERSION__: string;

const USAGE = 'taskmaster <command> [options]   (taskmaster help <command> for details)';

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'taskmaster — Task Master tasks, live-synced between the CLI, VS Code and other clients',
    '',
    `Usage: ${USAGE}`,
    '',
    // Grouped under Task Master's headings, so its users find each verb where they expect it.
    ...GROUPS.flatMap((group) => {
      const entries = COMMANDS.filter((c) => c.group === group);
      return entries.length === 0 ? [] : [`${group}:`, ...entries.map((c) => `  ${c.name.padEnd(width)}${c.summary}`), ''];
    }),
    'Every command takes --help. Task verbs go through the sync server when one runs',
    '(every client sees the change at once), else write .taskmaster/tasks/tasks.json directly.',
    ...wrapWords(`Left to Task Master (most ask an AI model): ${Object.keys(TASK_MASTER_ONLY).join(', ')}. Run them with task-master; a running sync server sends every client what they write.`, 90),
    '',
    'Examples:',
    '  taskmaster init',
    '  taskmaster sync server start',
    '  taskmaster list --status pending,in-progress',
    '  taskmaster next',
    '  taskmaster set-status 5.2 done',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

/** `text` in lines of at most `width` characters, broken between words. */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h') {
    say(globalHelp());
    return first === undefined ? ExitCode.UserError : ExitCode.Ok;
  }
  if (first === '--version' || first === '-v') {
    say(__CLI_VERSION__);
    return ExitCode.Ok;
  }
  if (first === 'help') {
    const target = argv.length > 1 ? findCommand(argv.slice(1)) : undefined;
    if (!target) {
      say(globalHelp());
      return argv.length > 1 ? ExitCode.UserError : ExitCode.Ok;
    }
    say(renderHelp((await target.entry.load()).command.spec));
    return ExitCode.Ok;
  }
  const found = findCommand(argv);
  if (!found) {
    const leftToTaskMaster = Object.prototype.hasOwnProperty.call(TASK_MASTER_ONLY, first) ? TASK_MASTER_ONLY[first] : undefined;
    if (leftToTaskMaster) {
      note(`error: '${first}' is Task Master's own command (${leftToTaskMaster}) — run it as 'task-master ${first}' with the same options; a running sync server sends every client what it writes`);
      return ExitCode.UserError;
    }
    // The first word only: the command words that follow are a known command's (findCommand would have matched).
    note(`error: unknown ${first.startsWith('-') ? 'option' : 'command'} '${first}' — run 'taskmaster --help' for the list`);
    note(`usage: ${USAGE}`);
    return ExitCode.UserError;
  }
  const { command } = await found.entry.load();
  // Before parsing (a bad flag is reported in the format asked for), then as parsed (`--format json`, `-f json`).
  let json = found.rest.includes('--json');
  const verbose = found.rest.includes('--verbose');
  try {
    const args = parseCommandArgs(command.spec, found.rest);
    if (args.values.help) {
      say(renderHelp(command.spec));
      return ExitCode.Ok;
    }
    json = args.values.json === true;
    if (args.values.silent === true) silence();
    return (await command.run(args)) ?? ExitCode.Ok;
  } catch (err) {
    return reportError(err, { json, verbose });
  }
}

// `taskmaster list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.Ok);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err);
  },
);
