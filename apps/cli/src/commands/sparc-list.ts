import { SPARC_SUMMARY } from '@taskmaster/protocol';
import { flag, type Command } from '../command.js';
import { color, printJson, say } from '../output.js';
import { openProject } from '../project.js';
import { readSparcMappings } from '../sparc-file.js';

/** `taskmaster sparc [list]`: the SPARC mode mappings. */
export const command: Command = {
  spec: {
    name: 'sparc list',
    summary: 'print the SPARC mode mappings',
    usage: 'sparc [list] [--json]',
    options: { json: { type: 'boolean', description: 'print the mappings file as JSON' } },
    examples: ['taskmaster sparc', 'taskmaster sparc list --json'],
    notes: `${SPARC_SUMMARY}.\n` +
      "A task's mode is its type/category looked up in the type mappings, else the first keyword\nfound in its title or description, else the default. Edit with 'taskmaster sparc set|remove'.",
  },
  async run(args) {
    const { store } = await openProject(args);
    const mappings = readSparcMappings(store.paths.sparcFile);
    if (flag(args, 'json')) return printJson(mappings);
    const section = (title: string, table: Record<string, string> | undefined, prefix: string) => {
      const entries = Object.entries(table ?? {});
      say(color.bold(`${title} (${entries.length})`));
      const width = Math.max(0, ...entries.map(([k]) => prefix.length + k.length)) + 2;
      for (const [k, mode] of entries) say(`  ${(prefix + k).padEnd(width)}→ ${color.cyan(mode)}`);
    };
    section('By type or category', mappings.byType, 'type:');
    section('By keyword', mappings.byKeyword, '');
    say(`${color.bold('Default')}: ${mappings.default !== undefined ? color.cyan(mappings.default) : color.dim('none')}`);
  },
};
