import { idKey, type Task } from '@taskmaster/protocol';
import { useMemo, useState } from 'preact/hooks';
import { PRIORITIES, readinessLabel, statusOf, STATUSES, subtaskProgress, titleOf } from '../model.js';

type SortKey = 'id' | 'title' | 'status' | 'priority' | 'readiness' | 'subtasks';

const HEADERS: Array<[SortKey, string]> = [
  ['id', 'Id'],
  ['title', 'Title'],
  ['status', 'Status'],
  ['priority', 'Priority'],
  ['subtasks', 'Subtasks'],
  ['readiness', 'Dependencies'],
];

/** The list view for large projects: one row per task, sorted by any column (click its header). */
export function ListView({ tasks, openOf, nextId, onOpen }: { tasks: Task[]; openOf: (t: Task) => string[]; nextId: string | undefined; onOpen: (id: string) => void }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'id', dir: 1 });
  const rows = useMemo(() => {
    const value = (t: Task): string | number => {
      switch (sort.key) {
        case 'id':
          return Number(t.id) || 0;
        case 'title':
          return titleOf(t).toLowerCase();
        case 'status':
          return rank(STATUSES, statusOf(t));
        case 'priority':
          return rank(PRIORITIES, t.priority ?? 'medium');
        case 'subtasks': {
          const p = subtaskProgress(t);
          return p ? p.done / p.total : -1;
        }
        case 'readiness':
          return openOf(t).length;
      }
    };
    return [...tasks].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
    });
  }, [tasks, sort, openOf]);
  return (
    <table class="list">
      <thead>
        <tr>
          {HEADERS.map(([key, label]) => (
            <th key={key} scope="col" aria-sort={sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
              <button type="button" onClick={() => setSort({ key, dir: sort.key === key ? (-sort.dir as 1 | -1) : 1 })}>
                {label}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => {
          const id = idKey(t.id);
          const p = subtaskProgress(t);
          return (
            <tr key={id} data-task-id={id} class={id === nextId ? 'next' : ''}>
              <td class="card-id">#{id}</td>
              <td>
                <button type="button" class="link" onClick={() => onOpen(id)}>
                  {titleOf(t)}
                </button>
              </td>
              <td>{statusOf(t)}</td>
              <td class={`priority-${t.priority ?? 'medium'}`}>{t.priority ?? 'medium'}</td>
              <td>{p ? `${p.done}/${p.total}` : ''}</td>
              <td>{readinessLabel(t, openOf(t)) ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function rank(order: readonly string[], value: string): number {
  const i = order.indexOf(value);
  return i < 0 ? order.length : i;
}
