import { idKey, isDoneStatus, type Task } from '@taskmaster/protocol';
import { useState } from 'preact/hooks';
import type { PendingConflict } from '../actions.js';
import { PRIORITIES, SETTABLE_STATUSES, statusOf, titleOf } from '../model.js';
import { ConflictPanel } from './ConflictPanel.js';
import { SelectField, TextField, type SaveField } from './fields.js';

export interface DrawerProps {
  task: Task;
  byId: ReadonlyMap<string, Task>;
  conflict: PendingConflict | undefined;
  onSave: SaveField;
  onClose: () => void;
  onOpen: (id: string) => void;
  onAddDependency: (dependsOn: string) => void;
  onRemoveDependency: (dependsOn: string) => void;
  onToggleSubtask: (subId: string, done: boolean) => void;
  onAddSubtask: (title: string) => void;
  onSwapSubtasks: (upper: string, lower: string) => void;
  /** Deletes the task (asked for twice: the button, then the confirmation beside it). */
  onDelete: () => void;
  onResolve: (choice: 'mine' | 'theirs' | 'merged', task?: Record<string, unknown>) => void;
}

/** The details drawer (`data-testid="task-details"`): every field of a task, editable, inputs named after the fields. Escape closes it (App). */
export function Drawer(props: DrawerProps) {
  const { task, byId, onSave } = props;
  const id = idKey(task.id);
  const [newDep, setNewDep] = useState('');
  const [newSub, setNewSub] = useState('');
  const [confirming, setConfirming] = useState(false);
  const subtasks = task.subtasks ?? [];
  return (
    <aside class="drawer" data-testid="task-details" role="dialog" aria-label={`Task ${id} details`}>
      <header class="drawer-head">
        <span class="card-id">#{id}</span>
        <button type="button" class="close" aria-label="Close details" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.conflict && <ConflictPanel conflict={props.conflict} onResolve={props.onResolve} />}
      <TextField key={`${id}-title`} task={task} name="title" label="Title" onSave={onSave} />
      <div class="field-row">
        <SelectField task={task} name="status" label="Status" options={SETTABLE_STATUSES} onSave={onSave} />
        <SelectField task={task} name="priority" label="Priority" options={PRIORITIES} onSave={onSave} />
      </div>
      <TextField key={`${id}-description`} task={task} name="description" label="Description" multiline onSave={onSave} />
      <TextField key={`${id}-details`} task={task} name="details" label="Details" multiline onSave={onSave} />
      <TextField key={`${id}-testStrategy`} task={task} name="testStrategy" label="Test strategy" multiline onSave={onSave} />

      <section class="field" aria-label="Dependencies">
        <span>Dependencies</span>
        <ul class="deps">
          {(task.dependencies ?? []).map((d) => {
            const key = idKey(d);
            const dep = byId.get(key);
            return (
              <li key={key}>
                <a href={`#task-${key}`} onClick={(e) => (e.preventDefault(), props.onOpen(key))}>
                  #{key} {dep ? titleOf(dep) : '(missing)'}
                </a>
                <span class={`badge status-${dep ? statusOf(dep) : 'missing'}`}>{dep ? statusOf(dep) : 'missing'}</span>
                <button type="button" aria-label={`Remove dependency on ${key}`} onClick={() => props.onRemoveDependency(key)}>
                  ×
                </button>
              </li>
            );
          })}
        </ul>
        <form
          class="inline-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (newDep.trim()) props.onAddDependency(newDep.trim().replace(/^#/, ''));
            setNewDep('');
          }}
        >
          <input name="dependencies" placeholder="Task id" aria-label="Add a dependency (task id)" value={newDep} onInput={(e) => setNewDep((e.target as HTMLInputElement).value)} />
          <button type="submit">Add</button>
        </form>
      </section>

      <section class="field" aria-label="Subtasks">
        <span>
          Subtasks {subtasks.length > 0 && `${subtasks.filter((s) => isDoneStatus(s.status ?? undefined)).length}/${subtasks.length}`}
        </span>
        <ol class="subtasks">
          {subtasks.map((s, i) => {
            const sid = idKey(s.id);
            const done = isDoneStatus(s.status ?? undefined);
            return (
              <li key={sid} data-subtask-id={`${id}.${sid}`}>
                <label>
                  <input type="checkbox" name="subtask-done" checked={done} onChange={() => props.onToggleSubtask(`${id}.${sid}`, !done)} />
                  <span class="card-id">{id}.{sid}</span> {titleOf(s)}
                </label>
                <span class="reorder">
                  <button type="button" aria-label={`Move subtask ${id}.${sid} up`} disabled={i === 0} onClick={() => props.onSwapSubtasks(idKey(subtasks[i - 1]!.id), sid)}>
                    ↑
                  </button>
                  <button type="button" aria-label={`Move subtask ${id}.${sid} down`} disabled={i === subtasks.length - 1} onClick={() => props.onSwapSubtasks(sid, idKey(subtasks[i + 1]!.id))}>
                    ↓
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
        <form
          class="inline-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (newSub.trim()) props.onAddSubtask(newSub.trim());
            setNewSub('');
          }}
        >
          <input name="subtasks" placeholder="New subtask title" aria-label="New subtask title" value={newSub} onInput={(e) => setNewSub((e.target as HTMLInputElement).value)} />
          <button type="submit">Add</button>
        </form>
      </section>

      {/* Asked in the page, not with confirm(): a VS Code webview has no modal dialogs. */}
      <section class="field" aria-label="Delete">
        {confirming ? (
          <p class="delete-confirm" role="alert">
            <span>
              Delete task {id}
              {subtasks.length > 0 && ` and its ${subtasks.length} subtask${subtasks.length === 1 ? '' : 's'}`}? Tasks that depend on it stop depending on it; history keeps a snapshot.
            </span>
            <button type="button" class="delete-task" onClick={props.onDelete}>
              Delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </p>
        ) : (
          <button type="button" class="delete-task" onClick={() => setConfirming(true)}>
            Delete task…
          </button>
        )}
      </section>
    </aside>
  );
}
