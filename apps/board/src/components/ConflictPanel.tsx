import { useState } from 'preact/hooks';
import type { PendingConflict } from '../actions.js';

/** A 1006: the fields both sides changed, mine and theirs side by side, and the three ways out. */
export function ConflictPanel({ conflict, onResolve }: { conflict: PendingConflict; onResolve: (choice: 'mine' | 'theirs' | 'merged', task?: Record<string, unknown>) => void }) {
  const [merging, setMerging] = useState(false);
  const [merged, setMerged] = useState<Record<string, string>>(() => Object.fromEntries(conflict.fields.map((f) => [f, show(conflict.mine[f])])));
  return (
    <section class="conflict" data-testid="conflict" role="alert">
      <h3>Changed elsewhere while you edited</h3>
      <table>
        <thead>
          <tr>
            <th>Field</th>
            <th>Mine</th>
            <th>Theirs</th>
          </tr>
        </thead>
        <tbody>
          {conflict.fields.map((f) => (
            <tr key={f}>
              <th scope="row">{f}</th>
              <td data-side="mine">{show(conflict.mine[f])}</td>
              <td data-side="theirs">{conflict.theirs ? show(conflict.theirs[f]) : '(deleted)'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {merging &&
        conflict.fields.map((f) => (
          <label class="field" key={f}>
            <span>Merged {f}</span>
            <textarea name={`merged-${f}`} rows={3} value={merged[f]} onInput={(e) => setMerged({ ...merged, [f]: (e.target as HTMLTextAreaElement).value })} />
          </label>
        ))}
      <div class="actions">
        <button type="button" onClick={() => onResolve('mine')}>
          Keep mine
        </button>
        <button type="button" onClick={() => onResolve('theirs')}>
          Keep theirs
        </button>
        {merging ? (
          <button type="button" onClick={() => onResolve('merged', { ...(conflict.theirs ?? conflict.mine), ...parseBack(merged, conflict.mine) })}>
            Save merge
          </button>
        ) : (
          <button type="button" onClick={() => setMerging(true)}>
            Merge…
          </button>
        )}
      </div>
    </section>
  );
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Merged text back to each field's type: strings stay, anything else was shown as JSON. */
function parseBack(merged: Record<string, string>, mine: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(merged).map(([f, text]) => {
      if (typeof mine[f] === 'string') return [f, text];
      try {
        return [f, JSON.parse(text)];
      } catch {
        return [f, text];
      }
    }),
  );
}
