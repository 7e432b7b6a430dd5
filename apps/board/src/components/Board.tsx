import { idKey, type Task, type TaskAnnotations } from '@taskmaster/protocol';
import Sortable from 'sortablejs';
import { useEffect, useRef, useState } from 'preact/hooks';
import { OPTIONAL_STATUSES, WRITABLE_STATUSES } from '../model.js';
import { Card } from './Card.js';

/** Where a card was dropped, by mouse, touch or keyboard alike. */
export interface Drop {
  id: string;
  from: string;
  to: string;
  /** Position among the target column's shown cards, after the drop. */
  index: number;
  /** How many cards the target column shows after the drop. */
  length: number;
}

export interface BoardProps {
  columns: string[];
  /** Shown tasks by status, in file order. */
  byStatus: Map<string, Task[]>;
  openOf: (task: Task) => string[];
  nextId: string | undefined;
  /** Complexity scores and SPARC modes by task id (`tasks.annotations`), once known. */
  annotations: TaskAnnotations | undefined;
  onOpen: (id: string) => void;
  onDrop: (drop: Drop) => void;
  /** A task to add with this title and status (the form at a column's foot). */
  onCreate: (status: string, title: string) => void;
  /** Says something to screen readers and on the status line. */
  announce: (text: string) => void;
}

/** A card being moved with the keyboard: where it would land now. */
interface Picked {
  id: string;
  from: string;
  /** Its place when picked up. */
  origin: number;
  to: string;
  index: number;
}

/**
 * The columns. Dragging is SortableJS's (mouse and touch; its fallback mode,
 * so the same code path runs everywhere); the keyboard does every drag too:
 * Space picks a card up, arrows choose the column and place, Space or Enter
 * drops, Escape puts it back.
 */
export function Board(props: BoardProps) {
  const [picked, setPicked] = useState<Picked | undefined>();
  const [folded, setFolded] = useState<Record<string, boolean>>({});
  const latest = useRef(props);
  latest.current = props;
  // A card dropped with the keyboard is redrawn in its new column: focus follows it there.
  const refocus = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (refocus.current === undefined) return;
    const moved = document.querySelector<HTMLElement>(`[data-task-id="${CSS.escape(refocus.current)}"]`);
    if (moved && moved !== document.activeElement) {
      moved.focus();
      refocus.current = undefined;
    }
  });

  const isFolded = (status: string) => folded[status] ?? (OPTIONAL_STATUSES.has(status) && (props.byStatus.get(status)?.length ?? 0) === 0);

  const keyDown = (event: KeyboardEvent) => {
    const card = (event.target as HTMLElement).closest<HTMLElement>('[data-task-id]');
    if (!card) return;
    const id = card.dataset.taskId!;
    const from = card.closest<HTMLElement>('[data-status]')!.dataset.status!;
    const columns = props.columns.filter((c) => WRITABLE_STATUSES.has(c) || c === from);
    const shown = (status: string) => props.byStatus.get(status)?.length ?? 0;
    if (!picked) {
      if (event.key === ' ' || event.key === 'Spacebar') {
        event.preventDefault();
        const index = (props.byStatus.get(from) ?? []).findIndex((t) => idKey(t.id) === id);
        setPicked({ id, from, origin: index, to: from, index });
        props.announce(`Picked up task ${id} from ${from}. Left and right choose a column, up and down a place; Space drops, Escape cancels.`);
      } else if (event.key === 'Enter') {
        event.preventDefault();
        props.onOpen(id);
      } else if (event.key.startsWith('Arrow')) {
        event.preventDefault();
        moveFocus(card, event.key);
      }
      return;
    }
    if (picked.id !== id) return;
    const place = (to: string, index: number) => {
      const next = { ...picked, to, index };
      setPicked(next);
      props.announce(`Task ${id}: ${to}, place ${index + 1} of ${shown(to) + (to === picked.from ? 0 : 1)}`);
    };
    const col = columns.indexOf(picked.to);
    switch (event.key) {
      case 'ArrowRight':
      case 'ArrowLeft': {
        event.preventDefault();
        const to = columns[Math.min(columns.length - 1, Math.max(0, col + (event.key === 'ArrowRight' ? 1 : -1)))]!;
        place(to, to === picked.from ? picked.index : shown(to));
        break;
      }
      case 'ArrowUp':
      case 'ArrowDown': {
        event.preventDefault();
        const last = picked.to === picked.from ? shown(picked.to) - 1 : shown(picked.to);
        place(picked.to, Math.min(last, Math.max(0, picked.index + (event.key === 'ArrowDown' ? 1 : -1))));
        break;
      }
      case ' ':
      case 'Enter': {
        event.preventDefault();
        setPicked(undefined);
        if (picked.to === picked.from && picked.index === picked.origin) {
          props.announce(`Task ${id} stays in ${picked.from}`);
          break;
        }
        const length = picked.to === picked.from ? shown(picked.to) : shown(picked.to) + 1;
        refocus.current = id;
        props.onDrop({ id, from: picked.from, to: picked.to, index: picked.index, length });
        break;
      }
      case 'Escape':
        event.preventDefault();
        setPicked(undefined);
        props.announce(`Task ${id} stays in ${picked.from}`);
        break;
    }
  };

  return (
    <div class="board" onKeyDown={keyDown}>
      {props.columns.map((status) => (
        <Column
          key={status}
          status={status}
          tasks={props.byStatus.get(status) ?? []}
          folded={isFolded(status)}
          onFold={(value) => setFolded({ ...folded, [status]: value })}
          dropTarget={picked !== undefined && picked.to === status && picked.to !== picked.from}
          picked={picked?.id}
          board={latest}
        />
      ))}
    </div>
  );
}

interface ColumnProps {
  status: string;
  tasks: Task[];
  folded: boolean;
  onFold: (folded: boolean) => void;
  dropTarget: boolean;
  picked: string | undefined;
  board: { current: BoardProps };
}

function Column({ status, tasks, folded, onFold, dropTarget, picked, board }: ColumnProps) {
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (folded || !list.current) return;
    const sortable = Sortable.create(list.current, {
      group: 'cards',
      animation: 0,
      // One code path for mouse and touch; a short hold on touch screens, so a swipe scrolls.
      forceFallback: true,
      fallbackOnBody: true,
      delayOnTouchOnly: true,
      delay: 150,
      ghostClass: 'ghost',
      chosenClass: 'chosen',
      onEnd: (event) => {
        const { item, from, to, oldIndex, newIndex } = event;
        // Put the element back: Preact owns these lists, and the server's answer redraws them.
        from.insertBefore(item, from.children[oldIndex ?? 0] ?? null);
        if (newIndex === undefined || (from === to && newIndex === oldIndex)) return;
        const target = to.closest<HTMLElement>('[data-status]')!.dataset.status!;
        const length = to.children.length + (from === to ? 0 : 1);
        board.current.onDrop({ id: item.dataset.taskId!, from: status, to: target, index: newIndex, length });
      },
    });
    return () => sortable.destroy();
  }, [folded, status]);

  const { openOf, nextId, annotations, onOpen, onCreate } = board.current;
  const optional = OPTIONAL_STATUSES.has(status);
  return (
    <section class={`column${folded ? ' folded' : ''}${dropTarget ? ' drop-target' : ''}`} data-status={status} aria-label={`${status}: ${tasks.length} tasks`}>
      <header class="column-head">
        <h2>{status}</h2>
        <span class="count">{tasks.length}</span>
        {(optional || folded) && (
          <button type="button" class="fold" aria-expanded={!folded} aria-label={`${folded ? 'Show' : 'Fold'} ${status}`} onClick={() => onFold(!folded)}>
            {folded ? '+' : '−'}
          </button>
        )}
      </header>
      {!folded && (
        <ul class="cards" ref={list} aria-label={`${status} tasks`}>
          {tasks.map((task) => {
            const id = idKey(task.id);
            return <Card key={id} task={task} facts={{ open: openOf(task), isNext: id === nextId, picked: id === picked, complexity: annotations?.complexity[id], sparc: annotations?.sparc[id] }} onOpen={onOpen} />;
          })}
        </ul>
      )}
      {!folded && WRITABLE_STATUSES.has(status) && <AddTask status={status} onCreate={onCreate} />}
    </section>
  );
}

/**
 * "+ Add a task" at a column's foot: a title, then Enter, makes a task with
 * that column's status, and the field stays for the next one (as a list is
 * typed in); Escape, or leaving it empty, puts the button back.
 */
function AddTask({ status, onCreate }: { status: string; onCreate: (status: string, title: string) => void }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const close = () => {
    setOpen(false);
    setTitle('');
  };
  if (!open) {
    return (
      <button type="button" class="add-task" aria-label={`Add a task to ${status}`} onClick={() => setOpen(true)}>
        + Add a task
      </button>
    );
  }
  return (
    <form
      class="add-task-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!title.trim()) return close();
        onCreate(status, title.trim());
        setTitle('');
      }}
    >
      <input
        name="new-task"
        aria-label={`Title of a new ${status} task`}
        placeholder="Title, then Enter"
        autoFocus
        value={title}
        onInput={(event) => setTitle(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          // Taken here: the page's Escape would close an open drawer too.
          event.preventDefault();
          close();
        }}
        onBlur={() => !title.trim() && close()}
      />
    </form>
  );
}

/** Arrow keys without a picked card walk the cards: up and down in a column, left and right across. */
function moveFocus(card: HTMLElement, key: string): void {
  const cards = (el: Element | null) => (el ? [...el.querySelectorAll<HTMLElement>('[data-task-id]')] : []);
  const column = card.closest('[data-status]');
  if (key === 'ArrowUp' || key === 'ArrowDown') {
    const list = cards(column);
    list[list.indexOf(card) + (key === 'ArrowDown' ? 1 : -1)]?.focus();
    return;
  }
  let next = key === 'ArrowRight' ? column?.nextElementSibling : column?.previousElementSibling;
  while (next && cards(next).length === 0) next = key === 'ArrowRight' ? next.nextElementSibling : next.previousElementSibling;
  cards(next ?? null)[0]?.focus();
}
