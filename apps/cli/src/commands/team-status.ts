import path from 'node:path';
import type { TeamStatus } from '@taskmaster/protocol';
import { flag, type Command } from '../command.js';
import { runningServer } from '../daemon.js';
import { ExitCode } from '../exit-codes.js';
import { color, note, printJson, say } from '../output.js';
import { openProject } from '../project.js';
import { connectClient } from '../server-backend.js';

/** `taskmaster team status`: team sync as the running server sees it, else what the outbox holds. */
export const command: Command = {
  spec: {
    name: 'team status',
    summary: 'show team sync: project, connected, last seq, outbox length, lag',
    usage: 'team status [--json]',
    options: { json: { type: 'boolean', description: 'print JSON ({"joined": false} when not joined)' } },
    examples: ['taskmaster team status', 'taskmaster team status --json'],
    notes: 'Without a running sync server it shows the outbox on disk (connected: false). Exits 1 when the project is not joined to a team.',
  },
  async run(args) {
    const json = flag(args, 'json');
    const { root, store } = await openProject(args);
    const team = store.config.team;
    if (!team) {
      if (json) printJson({ joined: false });
      else note("This project is not joined to a team — join one with 'taskmaster team join <postgres-url> --project <name>'.");
      return ExitCode.UserError;
    }
    let status: TeamStatus | undefined;
    const connection = await runningServer(store, root);
    if (connection) {
      const client = await connectClient(connection, root, 'taskmaster-cli team status');
      try {
        status = (await client.call('sync.status', {})).team;
      } finally {
        await client.close();
      }
    }
    const { Journal, redactUrl } = await import('@taskmaster/team');
    if (!status) {
      const journal = await Journal.open(path.join(store.paths.taskmasterDir, 'team'));
      const waiting = [...journal.state.outbox.values()].filter((e) => e.seq === undefined);
      journal.close();
      status = {
        project: team.project,
        connected: false,
        encrypted: team.passphraseFile !== undefined,
        lastSeq: journal.state.lastSeen,
        headSeq: journal.state.lastSeen,
        outbox: waiting.length,
        lagMs: waiting.length === 0 ? 0 : Date.now() - waiting[0]!.at,
      };
    }
    const url = redactUrl(team.url);
    if (json) return printJson({ joined: true, url, serverRunning: connection !== undefined, ...status });
    say(`${color.bold(status.project)} at ${url}${status.encrypted ? '  (end-to-end encrypted)' : ''}`);
    say(`  ${status.connected ? color.green('connected') : color.yellow(connection ? 'not connected' : 'no sync server running')}${status.error ? `: ${status.error}` : ''}`);
    say(`  last seq ${status.lastSeq} of ${status.headSeq}  ·  outbox ${status.outbox}  ·  lag ${Math.round(status.lagMs)} ms`);
  },
};
