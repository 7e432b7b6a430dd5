import { overriddenText, putBackUpdate } from '@taskmaster/protocol';
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
          <span>{overriddenText(c)}</span>
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
