import { flag, type Command } from '../command.js';
import { runningServer } from '../daemon.js';
import { ExitCode } from '../exit-codes.js';
import { color, note, printJson, say } from '../output.js';
import { openProject } from '../project.js';
import { connectClient } from '../server-backend.js';
import { keptOverridden, sayOverridden } from '../overridden-notices.js';

/** `taskmaster sync server status`: whether a server runs, and what it knows. */
export const command: Command = {
  spec: {
    name: 'sync server status',
    summary: 'show the sync server: urls, uptime, revision, tags and connections',
    usage: 'sync server status [--json]',
    options: { json: { type: 'boolean', description: 'print JSON ({"running": false} when not running, with "overridden" when the last server kept any)' } },
    examples: ['taskmaster sync server status', 'taskmaster sync server status --json'],
    notes:
      'Exits 3 when no server is running (or it does not answer); it then still lists the changes another\nprogram wrote over that the last server kept and that still stand in the file.',
  },
  async run(args) {
    const json = flag(args, 'json');
    const { root, store } = await openProject(args);
    const connection = await runningServer(store, root);
    if (!connection) {
      // What Task Master wrote over stays the user's to put back after the server stopped (or the machine restarted).
      const overridden = await keptOverridden(store).catch((err: unknown) => {
        note(`Could not read what the last sync server kept of changes written over: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      });
      if (json) printJson(overridden.length > 0 ? { running: false, overridden } : { running: false });
      else {
        note("No sync server is running for this project — start one with 'taskmaster sync server start'.");
        if (overridden.length > 0) sayOverridden(overridden, 'Written over by another program, as the last server kept it');
      }
      return ExitCode.ServerUnreachable;
    }
    const client = await connectClient(connection, root, 'taskmaster-cli status');
    let status;
    try {
      status = await client.call('sync.status', {});
    } finally {
      await client.close();
    }
    if (json) return printJson({ running: true, ...status });
    say(`${color.green('running')}  pid ${status.pid}  up ${formatUptime(status.uptimeMs)}  revision ${status.revision}`);
    say(`  WebSocket: ${status.urls.ws}`);
    say(`  HTTP:      ${status.urls.http}`);
    // Clients hold the last version the server read meanwhile: say so before the figures that come from it.
    if (status.fileProblem) say(color.yellow(`  tasks.json ${status.fileProblem.kind === 'missing' ? 'is missing' : 'cannot be read'}: ${status.fileProblem.message}`));
    say(color.bold('Tags'));
    const width = Math.max(0, ...status.tags.map((t) => t.name.length)) + 2;
    for (const t of status.tags) {
      if (t.problem !== undefined) say(`  ${t.name.padEnd(width)}${color.yellow(`broken: ${t.problem}`)}`);
      else say(`  ${t.name.padEnd(width)}${t.taskCount} task${t.taskCount === 1 ? '' : 's'}, ${t.completedCount} done`);
    }
    if (status.overridden?.length) sayOverridden(status.overridden, 'Written over by another program');
    // This status call is itself a connection; list the others.
    const others = status.connections.filter((c) => c.client !== 'taskmaster-cli status');
    say(color.bold(`Connections (${others.length})`));
    for (const c of others) say(`  ${c.peer.padEnd(22)} ${(c.client ?? '-').padEnd(20)} ${c.mode.padEnd(9)} since ${c.since}`);
  },
};

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
