import { rm } from 'node:fs/promises';
import path from 'node:path';
import { type Command } from '../command.js';
import { runningServer } from '../daemon.js';
import { ExitCode } from '../exit-codes.js';
import { note, say } from '../output.js';
import { openProject } from '../project.js';
import { writeTeamConfig } from '../team-config.js';

/** `taskmaster team leave`: this project stops syncing with its team; its tasks.json stays as it is. */
export const command: Command = {
  spec: {
    name: 'team leave',
    summary: 'stop syncing this project with its team (tasks.json stays as it is)',
    usage: 'team leave',
    options: {},
    examples: ['taskmaster team leave'],
    notes: "Removes `team` from sync.json and the outbox in .taskmaster/team; changes not yet pushed stay only here. A running sync server leaves at its next start.",
  },
  async run(args) {
    const { root, store } = await openProject(args);
    const team = store.config.team;
    if (!team) {
      note('This project is not joined to a team.');
      return ExitCode.UserError;
    }
    await writeTeamConfig(store, undefined);
    await rm(path.join(store.paths.taskmasterDir, 'team'), { recursive: true, force: true });
    say(`Left team project "${team.project}".`);
    if (await runningServer(store, root)) note("A sync server is running: restart it to stop syncing ('taskmaster sync server stop', then 'taskmaster sync server start').");
  },
};
