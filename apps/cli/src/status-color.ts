import { isDoneStatus } from '@taskmaster/protocol';
import { color } from './output.js';

// Apart from output.ts, which every command loads: importing the protocol loads zod,
// and `--version` or `sync server stop` should not pay for it.

/** Colours a status the way Task Master does. */
export function paintStatus(status: string | undefined): string {
  const s = status ?? 'pending';
  if (isDoneStatus(s)) return color.green(s);
  if (s === 'in-progress' || s === 'review') return color.cyan(s);
  if (s === 'blocked' || s === 'cancelled') return color.red(s);
  if (s === 'deferred') return color.dim(s);
  return color.yellow(s);
}

/** Task Master's status icons, for `list --compact`. */
const STATUS_ICONS: Record<string, string> = {
  done: '✓',
  completed: '✓',
  'in-progress': '►',
  blocked: '⭕',
  pending: '○',
  deferred: '⏸',
  cancelled: '✗',
  review: '👁',
};

/** A status as Task Master's one-character icon (`?` for a status it does not know). */
export function statusIcon(status: string | undefined): string {
  return STATUS_ICONS[status ?? 'pending'] ?? '?';
}
