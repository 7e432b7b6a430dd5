import type { Task } from '@taskmaster/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';

/** Saves one field; `base` is the task as it was when the user began editing it. */
export type SaveField = (field: string, value: unknown, base: Task) => void;

interface FieldProps {
  task: Task;
  name: 'title' | 'description' | 'details' | 'testStrategy';
  label: string;
  multiline?: boolean;
  onSave: SaveField;
}

/**
 * A text field of the drawer, saved when it loses focus. While it has focus
 * a live change from elsewhere does not overwrite what the user types: the
 * save then carries the version they started from, and the server tells a
 * concurrent change of the same field apart (a conflict) from others (merged).
 */
export function TextField({ task, name, label, multiline, onSave }: FieldProps) {
  const value = String(task[name] ?? '');
  const [draft, setDraft] = useState(value);
  const base = useRef<Task | undefined>(undefined);
  useEffect(() => {
    if (!base.current) setDraft(value);
  }, [value]);
  const begin = () => {
    base.current ??= task;
  };
  const end = () => {
    const started = base.current;
    base.current = undefined;
    if (started && draft !== String(started[name] ?? '')) onSave(name, draft, started);
    else setDraft(value);
  };
  const common = {
    id: `field-${name}`,
    name,
    value: draft,
    onFocus: begin,
    onBlur: end,
    onInput: (e: Event) => {
      begin();
      setDraft((e.target as HTMLInputElement).value);
    },
  };
  return (
    <label class="field">
      <span>{label}</span>
      {multiline ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
    </label>
  );
}

/** A choice field (status, priority), saved on change. */
export function SelectField({ task, name, label, options, onSave }: { task: Task; name: 'status' | 'priority'; label: string; options: readonly string[]; onSave: SaveField }) {
  const value = String(task[name] ?? (name === 'status' ? 'pending' : 'medium'));
  const all = options.includes(value) ? options : [value, ...options];
  return (
    <label class="field">
      <span>{label}</span>
      <select name={name} value={value} onChange={(e) => onSave(name, (e.target as HTMLSelectElement).value, task)}>
        {all.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
