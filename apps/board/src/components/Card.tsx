import { idKey, type Task } from '@taskmaster/protocol';
import { readinessLabel, subtaskProgress, titleOf } from '../model.js';

/** What a card shows beside the task itself. */
export interface CardFacts {
  open: string[];
  isNext: boolean;
  /** This card is being moved with the keyboard. */
  picked: boolean;
  /** Task Master's complexity score (1–10), when its report has one. */
  complexity?: number | undefined;
  /** The SPARC mode the project's mappings give the task. */
  sparc?: string | undefined;
}

/**
 * One task: id first, title, priority, subtask progress, dependency
 * readiness. Focusable; the board's key handler moves it (see Board).
 */
export function Card({ task, facts, onOpen }: { task: Task; facts: CardFacts; onOpen: (id: string) => void }) {
  const id = idKey(task.id);
  const progress = subtaskProgress(task);
  const priority = task.priority ?? 'medium';
  const readiness = readinessLabel(task, facts.open);
  const label = [
    `Task ${id}: ${titleOf(task)}.`,
    `Priority ${priority}.`,
    progress && `${progress.done} of ${progress.total} subtasks done.`,
    readiness && `${readiness}.`,
    facts.complexity !== undefined && `Complexity ${facts.complexity}.`,
    facts.sparc && `SPARC mode ${facts.sparc}.`,
    facts.isNext && 'Next task.',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <li
      class={`card priority-${priority}${facts.isNext ? ' next' : ''}${facts.picked ? ' picked' : ''}`}
      data-task-id={id}
      tabIndex={0}
      aria-label={label}
      aria-roledescription="task card"
      aria-grabbed={facts.picked ? 'true' : 'false'}
      onDblClick={() => onOpen(id)}
    >
      <div class="card-head">
        <span class="card-id">#{id}</span>
        {facts.isNext && <span class="badge next-badge">Next</span>}
        <span class={`badge priority priority-${priority}`}>{priority}</span>
      </div>
      <button type="button" class="card-title" onClick={() => onOpen(id)} tabIndex={-1}>
        {titleOf(task)}
      </button>
      <div class="card-foot">
        {progress && (
          <span class="progress" title="subtasks done">
            {progress.done}/{progress.total}
          </span>
        )}
        {readiness && <span class={facts.open.length === 0 ? 'ready' : 'blocked'}>{readiness}</span>}
        {facts.complexity !== undefined && (
          <span class="complexity" title="complexity score from Task Master's analyze-complexity report">
            complexity {facts.complexity}
          </span>
        )}
        {facts.sparc && (
          <span class="sparc" title="SPARC mode (.taskmaster/sparc/mappings.json)">
            {facts.sparc}
          </span>
        )}
      </div>
    </li>
  );
}
