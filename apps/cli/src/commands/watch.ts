import { assertNever, isEventName, overriddenText, type OverriddenNotice } from '@taskmaster/protocol';
import { flag, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { color, jsonText, note, say } from '../output.js';
import { runningServerClient } from '../server-backend.js';
import { putBackCommand } from '../overridden-notices.js';

/** `taskmaster watch`: print every event of the sync server until Ctrl-C. */
export const command: Command = {
  spec: {
    name: 'watch',
    summary: 'print live changes from the sync server until Ctrl-C',
    usage: 'watch [--json]',
    options: { json: { type: 'boolean', description: 'one JSON object per line: {"event", "payload"}' } },
    examples: ['taskmaster watch', 'taskmaster watch --json | jq -c "select(.event == \\"task.status.changed\\")"'],
    notes: 'Needs a running server (exit 3 without one). Exits 3 when the server shuts down.',
  },
  async run(args) {
    const json = flag(args, 'json');
    const { connection, client } = await runningServerClient(args, undefined, 'taskmaster-cli watch', ['*']);
    client.on('*', (payload, name) => {
      if (json) process.stdout.write(jsonText({ event: name, payload }) + '\n');
      else say(describeEvent(name, payload as Record<string, unknown>));
    });
    note(`watching ${connection.wsUrl} (Ctrl-C to stop)`);
    return new Promise<number>((resolve) => {
      let finished = false;
      const finish = (code: number) => {
        if (finished) return;
        finished = true;
        void client.close().finally(() => resolve(code));
      };
      client.on('sync.shutdown', () => finish(ExitCode.ServerUnreachable));
      client.onModeChange((mode) => {
        if (mode === 'offline' && !finished) {
          note('the sync server went away');
          finish(ExitCode.ServerUnreachable);
        }
      });
      process.once('SIGINT', () => finish(ExitCode.Ok));
      process.once('SIGTERM', () => finish(ExitCode.Ok));
    });
  },
};

/** One line for an event; every event of the table has its own case, so a new one fails the build here. */
function describeEvent(name: string, p: Record<string, unknown>): string {
  const time = color.dim(new Date().toTimeString().slice(0, 8));
  // A name this version does not know (a newer server): shown as it is.
  if (!isEventName(name)) return `${time} ${name}`;
  const where = p.tag !== undefined ? `${String(p.tag)}#${String(p.id)}` : '';
  switch (name) {
    case 'task.created':
    case 'task.updated': {
      const task = p.task as { title?: string } | undefined;
      const changed = Array.isArray(p.changed) ? ` [${(p.changed as string[]).join(', ')}]` : '';
      return `${time} ${color.bold(name)} ${where}${changed} ${task?.title ?? ''}`;
    }
    case 'task.patched': {
      // Only with `patches: true`, which watch does not ask for; shown as what changed.
      const fields = [...Object.keys((p.set ?? {}) as object), ...(Array.isArray(p.unset) ? (p.unset as string[]) : [])];
      const title = (p.set as { title?: unknown } | undefined)?.title;
      return `${time} ${color.bold(name)} ${where} [${fields.join(', ')}]${typeof title === 'string' ? ` ${title}` : ''}`;
    }
    case 'task.deleted':
      return `${time} ${color.bold(name)} ${where}`;
    case 'task.status.changed':
      return `${time} ${color.bold(name)} ${where} ${String(p.from ?? 'none')} → ${String(p.to)}`;
    case 'task.moved': {
      const from = (p.from ?? {}) as { id?: string; parentId?: string; index?: number };
      const to = (p.to ?? {}) as { parentId?: string; index?: number };
      const place = (parentId: string | undefined, index: number | undefined) => `${parentId ? `under ${parentId}` : 'top level'} #${String(index)}`;
      const renamed = from.id ? ` (was ${from.id})` : '';
      return `${time} ${color.bold(name)} ${where}${renamed} ${place(from.parentId, from.index)} → ${place(to.parentId, to.index)}`;
    }
    case 'sync.connected':
    case 'sync.disconnected':
      return `${time} ${color.dim(name)} ${String(p.client ?? p.clientId)} (${String(p.connections)} connected)`;
    case 'file.changed':
      return `${time} ${color.dim(name)} ${String(p.path)} (${String(p.source)}, revision ${String(p.revision)})`;
    case 'sync.shutdown':
      return `${time} ${color.red(name)} ${String(p.message)}`;
    case 'sync.conflict': {
      const c = p as OverriddenNotice;
      const putBack = putBackCommand(c);
      const hint = putBack ? color.dim(` (put it back: ${putBack})`) : '';
      return `${time} ${color.red(name)} ${where} [${c.fields.join(', ')}] ${overriddenText(c)}${hint}`;
    }
    case 'sync.conflict.dismissed':
      return `${time} ${color.dim(name)} ${where} the other program's value stays; the notice was dismissed`;
    case 'file.missing':
    case 'file.invalid':
      return `${time} ${color.red(name)} ${String(p.path)}: ${String(p.message)}`;
    case 'tag.current.changed':
      return `${time} ${color.bold(name)} now on tag "${String(p.current)}" (was "${String(p.previous)}")`;
    case 'sync.snapshot':
      return `${time} ${color.dim(name)} revision ${String(p.revision)}`;
    default:
      return assertNever(name, 'event');
  }
}
