import { brokenTagNoticeFor, type ConnectionFile } from '@taskmaster/protocol';
import { brokenTagWarnings } from './broken-tag-warnings.js';
import { notRunningError } from './cli-error.js';
import { flag, type ParsedArgs } from './command.js';
import { runningServer } from './daemon.js';
import { note } from './output.js';
import { openProject } from './project.js';
import type { TaskBackend } from './task-backend.js';

/**
 * Connects to a running server (WebSocket only, no retries); the caller closes
 * the client. For a wss:// server the client trusts `.taskmaster/config/server.crt`
 * under `root` (written by `sync server start --cert`) besides the public CAs.
 */
export async function connectClient(
  connection: ConnectionFile,
  root: string,
  clientName = 'taskmaster-cli',
  subscribe: string[] = ['sync.shutdown'],
) {
  const { createClient } = await import('@taskmaster/client');
  const client = createClient({
    url: connection.wsUrl,
    httpUrl: connection.httpUrl,
    token: connection.token,
    root,
    clientName,
    // One-shot commands need no task events; `watch` asks for them.
    subscribe,
    reconnect: false,
    polling: false,
  });
  try {
    await client.ready(5_000);
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}

/**
 * For a command that needs the project's running server (`sync`, `put-back`,
 * `watch`): connected to it, or exit 3 saying `notRunning` without one.
 */
export async function runningServerClient(args: ParsedArgs, notRunning?: string, clientName?: string, subscribe?: string[]) {
  const { root, store } = await openProject(args);
  const connection = await runningServer(store, root);
  if (!connection) throw notRunningError(notRunning);
  if (flag(args, 'verbose')) note(`via server ${connection.wsUrl}`);
  return { connection, client: await connectClient(connection, root, clientName, subscribe) };
}

/** Task verbs sent to the running sync server, which broadcasts them to every client. */
export async function serverBackend(connection: ConnectionFile, root: string): Promise<TaskBackend> {
  const client = await connectClient(connection, root);
  const warnOfOtherBrokenTags = brokenTagWarnings(async () => {
    const { tags, fileProblem } = await client.call('sync.status');
    const broken = tags.flatMap((t) => (t.problem === undefined ? [] : [{ tag: t.name, notice: brokenTagNoticeFor(t.name, t.problem) }]));
    const currentTag = async () => (await client.call('tags.list')).current;
    if (!fileProblem) return { broken, currentTag };
    const { fileProblemNotice } = await import('@taskmaster/client');
    return { broken, currentTag, fileNotice: fileProblemNotice(fileProblem, 'What follows') };
  });
  return {
    route: 'server',
    description: `via server ${connection.wsUrl}`,
    async call(method, params) {
      // Asked beside the command, not before it: one more message on the open socket, no added wait.
      // Both are awaited, so the warnings come before what the command prints, its error included.
      const [outcome] = await Promise.allSettled([
        (client.call as (m: string, p: unknown) => Promise<never>)(method, params),
        warnOfOtherBrokenTags((params as { tag?: string } | undefined)?.tag),
      ]);
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    },
    close: () => client.close(),
  };
}
