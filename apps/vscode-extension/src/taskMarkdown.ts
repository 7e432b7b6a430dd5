import { idKey, type Subtask, type Task } from '@taskmaster/protocol';
import { describeBlockers, type Blocker, type SubtaskProgress } from './taskFacts.js';

/**
 * Markdown renderings of a task: a short one for the tree's tooltip and a
 * full one for the read-only task document. Pure: no vscode import.
 */

/** What to render: a task or subtask plus where it lives. */
export interface TaskView {
  tag: string;
  /** `"5"` or `"5.2"`. */
  taskId: string;
  task: Task | Subtask;
  sparcMode?: string;
  /** Done/total subtasks (tasks with subtasks). */
  progress?: SubtaskProgress;
  /** Unfinished dependencies, named in the tooltip. */
  blockers?: readonly Blocker[];
}

/**
 * Escapes markdown punctuation in text that comes from a tasks file. A value
 * that is not text (a tag another tool left broken can hold anything) is
 * shown as its JSON.
 */
export function escapeMarkdown(text: unknown): string {
  const plain = typeof text === 'string' ? text : (JSON.stringify(text) ?? String(text));
  return plain.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** A task's title, as the tree shows it: `(untitled)` for an empty or missing one. */
function titleOf(task: Task | Subtask): string {
  return typeof task.title === 'string' && task.title ? task.title : '(untitled)';
}

function dependencies(task: Task | Subtask): string {
  const deps: unknown = task.dependencies ?? [];
  return Array.isArray(deps) && deps.length ? deps.map((d) => idKey(d as Task['id'])).join(', ') : 'none';
}

function facts(view: TaskView): string[] {
  const { task } = view;
  const lines = [`**Status:** ${escapeMarkdown(task.status ?? 'pending')}`];
  if ('priority' in task && typeof task.priority === 'string') lines.push(`**Priority:** ${escapeMarkdown(task.priority)}`);
  lines.push(`**Dependencies:** ${escapeMarkdown(dependencies(task))}`);
  if (view.blockers?.length) lines.push(`**Blocked by:** ${escapeMarkdown(describeBlockers(view.blockers))}`);
  if (view.progress) lines.push(`**Subtasks:** ${view.progress.done} of ${view.progress.total} done`);
  if (view.sparcMode) lines.push(`**SPARC mode:** ${escapeMarkdown(view.sparcMode)}`);
  return lines;
}

/** The tree tooltip: title, description, status, priority, dependencies, SPARC mode. */
export function taskTooltip(view: TaskView): string {
  const parts = [`**#${escapeMarkdown(view.taskId)} ${escapeMarkdown(titleOf(view.task))}**`];
  if (view.task.description) parts.push(escapeMarkdown(view.task.description));
  parts.push(facts(view).join('  \n'));
  return parts.join('\n\n');
}

/** The task document: every field a person reads, subtasks with their status. */
export function taskDocument(view: TaskView): string {
  const { task } = view;
  const out = [`# ${escapeMarkdown(view.taskId)}. ${escapeMarkdown(titleOf(task))}`, '', `*Tag: ${escapeMarkdown(view.tag)}*`, '', facts(view).join('  \n')];
  const section = (title: string, body: string | null | undefined) => {
    if (body) out.push('', `## ${title}`, '', body);
  };
  section('Description', task.description);
  section('Details', task.details);
  section('Test strategy', task.testStrategy);
  const subtasks = Array.isArray((task as Task).subtasks) ? (task as Task).subtasks! : [];
  if (subtasks.length) {
    out.push('', '## Subtasks', '');
    for (const sub of subtasks) {
      out.push(`- ${escapeMarkdown(`${view.taskId}.${idKey(sub.id)}`)} ${escapeMarkdown(titleOf(sub))} — *${escapeMarkdown(sub.status ?? 'pending')}*`);
    }
  }
  return out.join('\n') + '\n';
}

/** `Task 24: Implement the parser`, shortened, without the path separators a file name cannot hold. */
export function documentName(taskId: string, title: string): string {
  const clean = title.replace(/[\\/]+/g, '-').replace(/\s+/g, ' ').trim();
  const short = clean.length > 60 ? `${clean.slice(0, 59).trimEnd()}…` : clean;
  return short ? `Task ${taskId}: ${short}` : `Task ${taskId}`;
}
