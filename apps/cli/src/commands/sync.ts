import { flag, type Command } from '../command.js';
import { printJson, say } from '../output.js';
import { runningServerClient } from '../server-backend.js';

/** `taskmaster sync [--force]`: the server re-reads tasks.json and pushes what changed. */
export const command: Command = {
  spec: {
    name: 'sync',
    summary: 're-read tasks.json on the server and push changes to every client',
    usage: 'sync [--force] [--json]',
    options: {
      force: { type: 'boolean', description: 'send every client a full snapshot and take over a stale lock' },
      json: { type: 'boolean', description: 'print JSON: {revision, counts, snapshotsSent}' },
    },
    examples: ['taskmaster sync', 'taskmaster sync --force'],
    notes: 'Needs a running server (exit 3 without one): without a server there is nothing to sync,\nevery command reads the file directly.',
  },
  async run(args) {
    const { client } = await runningServerClient(args, 'no sync server is running, so there is nothing to sync (commands read tasks.json directly)');
    try {
      const result = await client.call('sync.reload', { force: flag(args, 'force') });
      if (flag(args, 'json')) return printJson(result);
      const c = result.counts;
      say(`Synced at revision ${result.revision}: ${c.created} created, ${c.updated} updated, ${c.deleted} deleted, ${c.statusChanged} status changes, ${c.moved} moved`);
      if (flag(args, 'force')) say(`Sent a full snapshot to ${result.snapshotsSent} client${result.snapshotsSent === 1 ? '' : 's'}.`);
    } finally {
      await client.close();
    }
  },
};
