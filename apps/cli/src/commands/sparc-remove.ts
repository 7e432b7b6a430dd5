import { SPARC_SUMMARY } from '@taskmaster/protocol';
import { flag, required, type Command } from '../command.js';
import { CliError, CliErrorCode, usageError } from '../cli-error.js';
import { color, printJson, say } from '../output.js';
import { openProject } from '../project.js';
import { parseSparcKey, withoutMapping } from '../sparc.js';
import { readSparcMappings, writeSparcMappings } from '../sparc-file.js';

const USAGE = 'sparc remove <keyword | type:<type> | default> [--json]';

/** `taskmaster sparc remove`: drop one mapping. */
export const command: Command = {
  spec: {
    name: 'sparc remove',
    summary: 'remove a SPARC mapping',
    usage: USAGE,
    options: { json: { type: 'boolean', description: 'print the updated mappings as JSON' } },
    maxPositionals: 1,
    examples: ['taskmaster sparc remove security', 'taskmaster sparc remove type:bug'],
    notes: `${SPARC_SUMMARY}.`,
  },
  async run(args) {
    const rawKey = required(args, command.spec, 'key', 0);
    const { store } = await openProject(args);
    let key;
    try {
      key = parseSparcKey(rawKey);
    } catch (err) {
      throw usageError((err as Error).message, `taskmaster ${USAGE}`);
    }
    const updated = withoutMapping(readSparcMappings(store.paths.sparcFile), key);
    if (!updated) throw new CliError(CliErrorCode.InvalidParams, `'${rawKey}' is not mapped`, "see the mappings with 'taskmaster sparc list'");
    await writeSparcMappings(store.paths.sparcFile, updated);
    if (flag(args, 'json')) return printJson(updated);
    say(`${color.green('Removed')} mapping ${rawKey}`);
  },
};
