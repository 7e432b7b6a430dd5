import { DEFAULT_TAG, findTag, idKey, statusesById, type Task, type TaskAnnotations } from '@taskmaster/protocol';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { BoardActions, type PendingConflict, type WriteOutcome } from '../actions.js';
import { columnsFor, indexTasks, matches, NO_FILTERS, openDependencies, statusOf, tagNames, type Filters } from '../model.js';
import type { Session, SessionView } from '../session.js';
import { Board, type Drop } from './Board.js';
import { Drawer } from './Drawer.js';
import { ListView } from './ListView.js';
import { OverriddenNotice } from './OverriddenNotice.js';
import { ProblemNotice } from './ProblemNotice.js';
import { Toolbar } from './Toolbar.js';

/** The whole page: toolbar, board or list, drawer, and a status line read out to screen readers. */
export function App({ session, initialTag, initialFocus }: { session: Session; initialTag: string | undefined; initialFocus?: string | undefined }) {
  const [view, setView] = useState<SessionView>(session.current);
  const [tag, setTag] = useState<string | undefined>(initialTag);
  const [mode, setMode] = useState<'board' | 'list'>('board');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // A subtask's drawer is its parent's, which lists and edits the subtasks.
  const [selected, setSelected] = useState<string | undefined>(initialFocus?.split('.')[0]);
  const [conflict, setConflict] = useState<PendingConflict | undefined>();
  const [message, setMessage] = useState('');
  const [nextId, setNextId] = useState<string | undefined>();
  const [annotations, setAnnotations] = useState<TaskAnnotations | undefined>();
  const actions = useMemo(() => new BoardActions(session.client), [session]);

  useEffect(() => session.subscribe(setView), [session]);

  // Escape closes the details wherever the focus is (a click on a card leaves it on the card), unless it
  // was taken already (the board's keyboard move cancels with it); the focus goes back to the task's card.
  useEffect(() => {
    if (selected === undefined) return;
    const close = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      setSelected(undefined);
      document.querySelector<HTMLElement>(`[data-task-id="${CSS.escape(selected)}"]`)?.focus();
    };
    document.addEventListener('keydown', close);
    return () => document.removeEventListener('keydown', close);
  }, [selected]);

  const tags = tagNames(view.file);
  // A tag the file no longer has (renamed or deleted, here or by another program) is not shown as an empty
  // board under its old name: the view falls back to Task Master's current tag, then to master.
  const existing = (name: string | undefined) => (name !== undefined && (view.file === undefined || tags.includes(name)) ? name : undefined);
  const shownTag = existing(tag) ?? existing(view.currentTag) ?? (tags.includes(DEFAULT_TAG) ? DEFAULT_TAG : tags[0]) ?? DEFAULT_TAG;
  // A new array at every version: the replica changes its copy in place, and the memos below key on identity.
  const tasks: Task[] = useMemo(() => (view.file ? [...(findTag(view.file, shownTag)?.tasks ?? [])] : []), [view.version, view.file, shownTag]);
  const byId = useMemo(() => indexTasks(tasks), [tasks]);
  const statuses = useMemo(() => statusesById(tasks), [tasks]);
  const openOf = useCallback((t: Task) => openDependencies(t, statuses), [statuses]);
  const columns = useMemo(() => columnsFor(tasks), [tasks]);
  const byStatus = useMemo(() => {
    const map = new Map<string, Task[]>(columns.map((c) => [c, []]));
    for (const t of tasks) if (matches(t, filters, statuses)) map.get(statusOf(t))!.push(t);
    return map;
  }, [tasks, columns, filters, statuses]);

  // Task Master's next task, asked again after every change (one call per burst).
  useEffect(() => {
    if (view.state !== 'live') return;
    const timer = setTimeout(() => {
      session.client.call('tasks.next', { tag: shownTag }).then(
        (r) => setNextId(r.next ? (r.next.parentId ?? r.next.id) : undefined),
        () => setNextId(undefined),
      );
      // Complexity scores and SPARC modes: Task Master's report may have been rewritten too.
      session.client.call('tasks.annotations', { tag: shownTag }).then(setAnnotations, () => setAnnotations(undefined));
    }, 100);
    return () => clearTimeout(timer);
  }, [view.version, view.state, shownTag]);

  const report = (what: string) => (outcome: WriteOutcome) => {
    if (outcome.ok) {
      setMessage(what);
      return;
    }
    setMessage(outcome.message);
    if (outcome.conflict) {
      setConflict(outcome.conflict);
      setSelected(outcome.conflict.id);
    }
  };

  const onDrop = (drop: Drop) => {
    const task = byId.get(drop.id);
    if (!task) return;
    if (drop.from !== drop.to) {
      void actions.setStatus(shownTag, drop.id, drop.to).then(report(`Task ${drop.id} moved to ${drop.to}`));
    } else {
      // The card it now precedes in the column (filters may hide some between them in the file), or none: last.
      const others = (byStatus.get(drop.to) ?? []).filter((t) => idKey(t.id) !== drop.id);
      const before = others[drop.index];
      void actions
        .reorder(shownTag, drop.id, before ? idKey(before.id) : null)
        .then(report(before ? `Task ${drop.id} moved before task ${idKey(before.id)}` : `Task ${drop.id} moved to the end of ${drop.to}`));
    }
  };

  const task = selected !== undefined ? byId.get(selected) : undefined;
  // A task deleted while its details were open (here or elsewhere): forgotten, so a task given its id
  // later, as Task Master reuses the highest, does not open by itself.
  useEffect(() => {
    if (selected !== undefined && view.file !== undefined && !byId.has(selected)) setSelected(undefined);
  }, [byId, selected, view.file]);

  if (view.fatal) {
    return (
      <main class="fatal" role="alert" data-testid="error">
        <h1>Cannot open the board</h1>
        <p>{view.fatal}</p>
        <span class="connection offline" data-testid="connection">
          offline
        </span>
      </main>
    );
  }

  return (
    <div class={`app${task ? ' with-drawer' : ''}`}>
      <Toolbar
        tags={tags}
        brokenTags={view.problems.tags}
        tag={shownTag}
        currentTag={view.currentTag}
        view={mode}
        filters={filters}
        statuses={columns}
        state={view.state}
        polling={view.polling}
        connections={view.connections}
        onTag={(t) => {
          setTag(t);
          setSelected(undefined);
        }}
        onUseTag={async () => {
          report(`${shownTag} is now Task Master's current tag`)(await actions.useTag(shownTag));
          await session.refreshTags().catch(() => {});
        }}
        onView={setMode}
        onFilters={setFilters}
      />
      <ProblemNotice fileProblem={view.problems.file} tag={shownTag} tagProblem={view.problems.tags[shownTag]} />
      <OverriddenNotice
        changes={view.overridden.filter((c) => c.tag === shownTag)}
        onPutBack={(c) =>
          void actions.putBack(c).then((o) => {
            report(`Task ${c.id}: put back`)(o);
            if (o.ok) session.forgetOverridden(c.key);
          })
        }
        onDismiss={(c) =>
          void actions.dismiss(c).then((o) => {
            // Gone from every page by the server's event (here at once: one the server no longer lists goes too).
            if (o.ok) session.forgetOverridden(c.key);
            else report(`Task ${c.id}: dismissed`)(o);
          })
        }
      />
      <nav class="phone-tabs" aria-label="Statuses">
        {columns.map((c) => (
          <button key={c} type="button" onClick={() => document.querySelector(`.board [data-status="${c}"]`)?.scrollIntoView({ inline: 'start', block: 'nearest' })}>
            {c} <span class="count">{byStatus.get(c)?.length ?? 0}</span>
          </button>
        ))}
      </nav>
      <main>
        {view.file === undefined ? (
          <p class="loading">Connecting…</p>
        ) : mode === 'board' ? (
          <Board
            columns={columns}
            byStatus={byStatus}
            openOf={openOf}
            nextId={nextId}
            annotations={annotations}
            onOpen={setSelected}
            onDrop={onDrop}
            onCreate={(status, title) => void actions.createTask(shownTag, title, status).then((outcome) => report(`Task ${outcome.id ?? ''} added to ${status}`)(outcome))}
            announce={setMessage}
          />
        ) : (
          <ListView tasks={tasks.filter((t) => matches(t, filters, statuses))} openOf={openOf} nextId={nextId} onOpen={setSelected} />
        )}
      </main>
      {task && (
        <Drawer
          key={idKey(task.id)}
          task={task}
          byId={byId}
          conflict={conflict?.id === idKey(task.id) ? conflict : undefined}
          onClose={() => setSelected(undefined)}
          onOpen={setSelected}
          onSave={(field, value, base) => void actions.updateField(shownTag, idKey(task.id), field, value, base).then(report(`Saved ${field} of task ${idKey(task.id)}`))}
          onAddDependency={(d) => void actions.addDependency(shownTag, idKey(task.id), d).then(report(`Task ${idKey(task.id)} now depends on ${d}`))}
          onRemoveDependency={(d) => void actions.removeDependency(shownTag, idKey(task.id), d).then(report(`Removed dependency on ${d}`))}
          onToggleSubtask={(s, done) => void actions.toggleSubtask(shownTag, s, done).then(report(`Subtask ${s} ${done ? 'done' : 'pending'}`))}
          onAddSubtask={(title) => void actions.addSubtask(shownTag, idKey(task.id), title).then(report('Subtask added'))}
          onSwapSubtasks={(upper, lower) => void actions.swapSubtasks(shownTag, idKey(task.id), upper, lower).then(report('Subtasks reordered'))}
          onDelete={() => {
            const id = idKey(task.id);
            void actions.deleteTask(shownTag, id).then((outcome) => {
              report(`Task ${id} deleted`)(outcome);
              if (outcome.ok) setSelected((open) => (open === id ? undefined : open));
            });
          }}
          onResolve={(choice, merged) =>
            conflict &&
            void actions.resolve(conflict, choice, merged).then((o) => {
              report(`Conflict settled: ${choice}`)(o);
              if (o.ok) setConflict(undefined);
            })
          }
        />
      )}
      <p class="status-line" role="status" aria-live="polite" data-testid="status-line">
        {message}
      </p>
    </div>
  );
}
