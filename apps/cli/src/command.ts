import { parseArgs } from 'node:util';
import { usageError } from './cli-error.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

/** One option of a command, as `node:util` parseArgs takes it plus help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown after the flag in help, e.g. `<id>`. */
  value?: string;
  /** The only values a string option takes; others are usage errors naming them. */
  choices?: readonly string[];
  description: string;
}

/** A command's name, help and options. */
export interface CommandSpec {
  /** Words that select it, e.g. `sync server start`. */
  name: string;
  summary: string;
  /** The usage line without the leading `taskmaster`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** How many positionals the command takes (default 0). */
  maxPositionals?: number;
  examples: string[];
  /** A paragraph printed after the options. */
  notes?: string;
}

/** Parsed arguments of a command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A command module: its spec and what it does. Returns the exit code (0 when omitted). */
export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs): Promise<number | void>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  root: { type: 'string', value: '<dir>', description: 'project root (default: nearest folder with .taskmaster, or $TASK_MASTER_PROJECT_ROOT)' },
  verbose: { type: 'boolean', description: 'say how the command reached the tasks (server or file)' },
};

/** Options of the task verbs. */
export const TASK_OPTIONS: Record<string, OptionSpec> = {
  tag: { type: 'string', value: '<tag>', description: 'tag (context) to use (default: the current tag)' },
  json: { type: 'boolean', description: 'print JSON' },
};

/** {@link TASK_OPTIONS} with Task Master's `-t` for `--tag` (list, next; add-task and add-subtask use `-t` for `--title`). */
export const TASK_OPTIONS_T: Record<string, OptionSpec> = {
  ...TASK_OPTIONS,
  tag: { ...TASK_OPTIONS.tag!, short: 't' },
};

/**
 * Options Task Master's newer verbs (list, show, set-status, next) take, so
 * its command lines work unchanged: `-p/--project` is our `--root`,
 * `-f/--format json` our `--json`.
 */
export const TM_CORE_OPTIONS: Record<string, OptionSpec> = {
  project: { type: 'string', short: 'p', value: '<dir>', description: 'same as --root (Task Master spelling)' },
  format: { type: 'string', short: 'f', value: '<format>', choices: ['text', 'json'], description: 'text or json (same as --json)' },
  silent: { type: 'boolean', description: 'print nothing on stdout; errors still go to stderr' },
};

/** Options of the verbs that change tasks. */
export const AUTO_SYNC_OPTIONS: Record<string, OptionSpec> = {
  'auto-sync': { type: 'boolean', description: 'start the sync server first if none runs (default: autoSync in config/sync.json)' },
  'no-auto-sync': { type: 'boolean', description: 'never start a sync server for this command' },
};

/** Parses `argv` for `spec`; unknown flags and extra positionals are usage errors. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...COMMON_OPTIONS, ...spec.options }).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    throw usageError(message.replace(/\. To specify a positional.*$/, ''), `taskmaster ${spec.usage}`);
  }
  const max = spec.maxPositionals ?? 0;
  if (!parsed.values.help && parsed.positionals.length > max) {
    throw usageError(`unexpected argument '${parsed.positionals[max]}'`, `taskmaster ${spec.usage}`);
  }
  const values = parsed.values as ParsedArgs['values'];
  for (const [name, o] of Object.entries(spec.options)) {
    const v = values[name];
    if (o.choices && typeof v === 'string' && !o.choices.includes(v)) {
      throw usageError(`invalid --${name} '${v}'`, `taskmaster ${spec.usage}`, `use one of ${o.choices.join(', ')}`);
    }
  }
  // `--format json` / `--format compact` are Task Master's long forms of `--json` / `--compact`.
  if (values.format === 'json') values.json = true;
  if (values.format === 'compact') values.compact = true;
  return { values, positionals: parsed.positionals };
}

/** The `--help` text of a command. */
export function renderHelp(spec: CommandSpec): string {
  const all = { ...spec.options, ...COMMON_OPTIONS };
  const flags = Object.entries(all).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    return [`${short}--${name}${o.value ? ` ${o.value}` : ''}`, o.description] as const;
  });
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  const lines = [
    `taskmaster ${spec.name} — ${spec.summary}`,
    '',
    `Usage: taskmaster ${spec.usage}`,
    '',
    'Options:',
    ...flags.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
  ];
  if (spec.notes) lines.push('', spec.notes);
  lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`), '', EXIT_CODES_HELP);
  return lines.join('\n');
}

/** A string flag's value, or undefined. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag's value. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A required string flag (or the positional at `position`), else a usage error. */
export function required(args: ParsedArgs, spec: CommandSpec, name: string, position?: number): string {
  const v = str(args, name) ?? (position === undefined ? undefined : args.positionals[position]);
  if (v === undefined || v === '') {
    const what = position === undefined ? `--${name}` : spec.options[name] ? `<${name}> (or --${name})` : `<${name}>`;
    throw usageError(`missing ${what}`, `taskmaster ${spec.usage}`);
  }
  return v;
}

/** `list` when it has items, else undefined (an option not given). */
export function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** `1,2, 5.2` → `['1', '2', '5.2']`. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
