import { putBackUpdate } from '@taskmaster/protocol';
import type { OverriddenChange } from '../session.js';

export interface OverriddenNoticeProps {
  /** The overridden changes of the tag on view, oldest first. */
  changes: readonly OverriddenChange[];
  onPutBack: (change: OverriddenChange) => void;
  onDismiss: (change: OverriddenChange) => void;
}

/**
 * Changes another program wrote over, as Task Master does when it writes
 * back a tag it read before they were made: what it kept, the value it
 * replaced, and a button that puts that value back. Nothing is drawn while
 * there are none.
 */
export function OverriddenNotice({ changes, onPutBack, onDismiss }: OverriddenNoticeProps) {
  if (changes.length === 0) return null;
  return (
    <section class="notice overridden" role="alert" data-testid="overridden" aria-label="Changes another program wrote over">
      {changes.map((c) => (
        <p key={c.key} data-task-id={c.id}>
          <span>{describe(c)}</span>
          {putBackUpdate(c) !== undefined && (
            <button type="button" onClick={() => onPutBack(c)}>
              Put it back
            </button>
          )}
          <button type="button" onClick={() => onDismiss(c)}>
            Dismiss
          </button>
        </p>
      ))}
    </section>
  );
}

/** One overridden change as a sentence: what was kept, and what was replaced or how to get it back. */
function describe(c: OverriddenChange): string {
  const restore = c.snapshot !== undefined ? ` 'taskmaster history restore ${c.snapshot}' brings back the version before.` : '';
  if (c.id === '*') return `Another program deleted tag ${c.tag} while it was being changed here; the delete was kept.${restore}`;
  if (c.fields.includes('*')) {
    return Object.keys(c.ours).length === 0
      ? `Task ${c.id} was deleted here while another program changed it; its version was kept.`
      : `Another program deleted task ${c.id} while it was being changed here; the delete was kept.${restore}`;
  }
  const here = c.fields.map((f) => (Object.prototype.hasOwnProperty.call(c.ours, f) ? `${f} "${show(c.ours[f])}"` : `${f} removed`)).join(', ');
  return `Another program wrote over task ${c.id}'s ${c.fields.join(', ')}, changed here meanwhile; its ${c.fields.length > 1 ? 'values were' : 'value was'} kept. Here: ${here}.`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
