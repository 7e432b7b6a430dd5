import type { MethodResult } from '@taskmaster/protocol';
import { flag, type Command } from '../command.js';
import { withBackend } from '../open-backend.js';
import { color, printJson, say } from '../output.js';

/** One snapshot as either backend lists it. */
type SnapshotInfo = MethodResult<'history.list'>['snapshots'][number];

/** How many task ids a line shows before `+N more`. */
const SHOWN_IDS = 3;

/** `taskmaster history list`: the snapshots taken before each write of tasks.json, and what each write was. */
export const command: Command = {
  spec: {
    name: 'history list',
    summary: 'list snapshots of tasks.json, newest first',
    usage: 'history list [--json]',
    options: {
      json: { type: 'boolean', description: 'print JSON: {"snapshots": [{id, createdAt, bytes, op?, ids?, actor?, tag?}]}' },
    },
    examples: ['taskmaster history list', 'taskmaster history list --json'],
    notes:
      'Each snapshot is tasks.json as it was just before a change; the line says which change\n' +
      '(operation, task ids, who made it) and the snapshot\'s size on disk (snapshots are gzipped).\n' +
      'Snapshots made by older versions show only their time and size.',
  },
  async run(args) {
    const { snapshots } = await withBackend(args, { mutates: false }, (backend) => backend.call('history.list', {}));
    if (flag(args, 'json')) return printJson({ snapshots });
    if (snapshots.length === 0) return say('No snapshots yet (one is taken before each change of tasks.json).');
    const rows = snapshots.map((s) => [s.id, when(s.createdAt), s.op ? `before ${s.op}` : 'before a change', taskIds(s), s.actor ? `by ${s.actor}` : '', formatBytes(s.bytes)]);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) {
      const [id, ...rest] = row.map((cell, i) => cell.padEnd(i === row.length - 1 ? 0 : widths[i]!));
      say(`${color.bold(id!)}  ${rest.join('  ')}`.trimEnd());
    }
    say(color.dim(`\nRestore one with: taskmaster history restore <id>`));
  },
};

/** `2025-01-31T10:00:00.000Z` → `2025-01-31 10:00:00 UTC`. */
function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `tasks 5, 7, 12 +3 more` (in `tag`), or nothing when the change named no task. */
function taskIds(s: SnapshotInfo): string {
  const ids = s.ids ?? [];
  if (ids.length === 0) return '';
  const shown = ids.slice(0, SHOWN_IDS).join(', ');
  const more = ids.length > SHOWN_IDS ? ` +${ids.length - SHOWN_IDS} more` : '';
  return `${ids.length === 1 ? 'task' : 'tasks'} ${shown}${more}${s.tag ? ` in ${s.tag}` : ''}`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
