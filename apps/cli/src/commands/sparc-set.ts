import { isSparcMode, SPARC_MODES, SPARC_SUMMARY } from '@taskmaster/protocol';
import { flag, required, type Command } from '../command.js';
import { usageError } from '../cli-error.js';
import { color, printJson, say } from '../output.js';
import { openProject } from '../project.js';
import { parseSparcKey, withMapping } from '../sparc.js';
import { readSparcMappings, writeSparcMappings } from '../sparc-file.js';

const USAGE = 'sparc set <keyword | type:<type> | default> <mode> [--json]';

/** `taskmaster sparc set`: map a keyword, a type or the default to a SPARC mode. */
export const command: Command = {
  spec: {
    name: 'sparc set',
    summary: 'map a keyword, type:X or the default to a SPARC mode',
    usage: USAGE,
    options: { json: { type: 'boolean', description: 'print the updated mappings as JSON' } },
    maxPositionals: 2,
    examples: ['taskmaster sparc set security security-review', 'taskmaster sparc set type:bug debug', 'taskmaster sparc set default code'],
    notes: `${SPARC_SUMMARY}.\nModes: ${SPARC_MODES.join(', ')}.`,
  },
  async run(args) {
    const rawKey = required(args, command.spec, 'key', 0);
    const mode = args.positionals[1];
    if (mode === undefined) throw usageError('missing the mode', `taskmaster ${USAGE}`);
    // Checked before anything is read: a typo must not land in the mappings, where every task would get it.
    if (!isSparcMode(mode)) throw usageError(`'${mode}' is not a SPARC mode; the modes are: ${SPARC_MODES.join(', ')}`, `taskmaster ${USAGE}`);
    const { store } = await openProject(args);
    let updated;
    try {
      updated = withMapping(readSparcMappings(store.paths.sparcFile), parseSparcKey(rawKey), mode);
    } catch (err) {
      throw usageError((err as Error).message, `taskmaster ${USAGE}`);
    }
    await writeSparcMappings(store.paths.sparcFile, updated);
    if (flag(args, 'json')) return printJson(updated);
    say(`${color.green('Mapped')} ${rawKey} → ${color.cyan(mode)}`);
  },
};
