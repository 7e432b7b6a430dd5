import path from 'node:path';
import { TeamConfigSchema } from '@taskmaster/protocol';
import { CliError, CliErrorCode } from '../cli-error.js';
import { str, type Command } from '../command.js';
import { runningServer } from '../daemon.js';
import { note, say } from '../output.js';
import { openProject } from '../project.js';
import { writeTeamConfig } from '../team-config.js';

/** `taskmaster team join <postgres-url> --project <name> [--passphrase-file F]`. */
export const command: Command = {
  spec: {
    name: 'team join',
    summary: 'join a team project on PostgreSQL: this project syncs with every machine joined to it',
    usage: 'team join <postgres-url> --project <name> [--passphrase-file <file>]',
    maxPositionals: 1,
    options: {
      project: { type: 'string', value: '<name>', description: 'the team project (created by the first server that joins it)' },
      'passphrase-file': { type: 'string', value: '<file>', description: 'a file (mode 0600) holding the team passphrase: end-to-end encryption' },
    },
    examples: [
      'taskmaster team join postgres://me@db.example.com/tasks --project acme-web',
      'taskmaster team join "$DATABASE_URL" --project acme-web --passphrase-file ~/.config/acme-team-passphrase',
    ],
    notes:
      'Checks the database and the passphrase first: a wrong passphrase writes nothing. The URL goes into .taskmaster/config/sync.json, which is then mode 0600. A running sync server joins at its next start.',
  },
  async run(args) {
    const url = args.positionals[0];
    const project = str(args, 'project');
    if (!url || !project) throw new CliError(CliErrorCode.InvalidParams, 'team join needs a PostgreSQL URL and --project <name>', undefined, { usage: command.spec.usage });
    const passphraseArg = str(args, 'passphrase-file');
    const passphraseFile = passphraseArg === undefined ? undefined : path.resolve(passphraseArg);
    const parsed = TeamConfigSchema.safeParse({ url, project, ...(passphraseFile ? { passphraseFile } : {}) });
    if (!parsed.success) throw new CliError(CliErrorCode.InvalidParams, parsed.error.issues.map((i) => i.message).join('; '), undefined, { usage: command.spec.usage });
    // Here --project names the team project, not the folder (Task Master's spelling of --root elsewhere).
    const { root, store } = await openProject({ ...args, values: { ...args.values, project: undefined } });
    const { checkTeamAccess, readPassphraseFile, redactUrl } = await import('@taskmaster/team');
    let access: { exists: boolean; encrypted: boolean };
    try {
      const passphrase = passphraseFile === undefined ? undefined : readPassphraseFile(passphraseFile);
      access = await checkTeamAccess(parsed.data, passphrase);
    } catch (err) {
      if (err instanceof Error && err.name === 'TeamAccessError') throw new CliError(CliErrorCode.InvalidParams, err.message);
      const code = (err as { code?: unknown }).code;
      throw new CliError(CliErrorCode.ConnectionFailed, `cannot reach the team database at ${redactUrl(url)} (${typeof code === 'string' ? code : err instanceof Error ? err.name : 'error'})`, 'check the URL, and that the database accepts connections from this machine');
    }
    await writeTeamConfig(store, parsed.data);
    say(`Joined team project "${project}" at ${redactUrl(url)}${access.encrypted ? ', end-to-end encrypted' : ''}.`);
    say(access.exists ? 'Its tasks are merged with this project\'s when the sync server starts.' : 'It is new: the first sync server to start publishes its tasks as the team\'s.');
    if (await runningServer(store, root)) note("A sync server is running: restart it to join ('taskmaster sync server stop', then 'taskmaster sync server start').");
  },
};
