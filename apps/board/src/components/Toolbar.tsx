import { PRIORITIES, type Filters } from '../model.js';
import type { ConnectionState } from '../session.js';

export interface ToolbarProps {
  tags: string[];
  /** Broken tags, each with its problem: marked in the tag switcher. */
  brokenTags: Readonly<Record<string, string>>;
  tag: string;
  currentTag: string | undefined;
  view: 'board' | 'list';
  filters: Filters;
  statuses: string[];
  state: ConnectionState;
  polling: boolean;
  connections: number | undefined;
  onTag: (tag: string) => void;
  onUseTag: () => void;
  onView: (view: 'board' | 'list') => void;
  onFilters: (filters: Filters) => void;
}

/** Tag switcher (views a tag; "Use this tag" makes it Task Master's), view switch, search, filters, connection. */
export function Toolbar(p: ToolbarProps) {
  const set = (patch: Partial<Filters>) => p.onFilters({ ...p.filters, ...patch });
  return (
    <header class="toolbar">
      <label class="tag-select">
        <span class="visually-hidden">Tag</span>
        <select name="tag" aria-label="Tag to view" value={p.tag} onChange={(e) => p.onTag((e.target as HTMLSelectElement).value)}>
          {p.tags.map((t) => (
            <option key={t} value={t}>
              {t}
              {t === p.currentTag ? ' (current)' : ''}
              {p.brokenTags[t] !== undefined ? ' (broken)' : ''}
            </option>
          ))}
        </select>
      </label>
      {p.currentTag !== undefined && p.tag !== p.currentTag && (
        <button type="button" class="use-tag" onClick={p.onUseTag} title="Make this Task Master's current tag (state.json)">
          Use this tag
        </button>
      )}
      <div class="view-switch" role="group" aria-label="View">
        <button type="button" aria-pressed={p.view === 'board'} onClick={() => p.onView('board')}>
          Board
        </button>
        <button type="button" aria-pressed={p.view === 'list'} onClick={() => p.onView('list')}>
          List
        </button>
      </div>
      <input
        type="search"
        data-testid="search"
        placeholder="Search title, description, details"
        aria-label="Search tasks"
        value={p.filters.query}
        onInput={(e) => set({ query: (e.target as HTMLInputElement).value })}
      />
      <select aria-label="Filter by status" data-testid="filter-status" value={p.filters.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
        <option value="">All statuses</option>
        {p.statuses.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select aria-label="Filter by priority" data-testid="filter-priority" value={p.filters.priority} onChange={(e) => set({ priority: (e.target as HTMLSelectElement).value })}>
        <option value="">All priorities</option>
        {PRIORITIES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <label class="ready-filter">
        <input type="checkbox" data-testid="filter-ready" checked={p.filters.readyOnly} onChange={(e) => set({ readyOnly: (e.target as HTMLInputElement).checked })} />
        Ready
      </label>
      <span class="status-area">
        <span class={`connection ${p.state}`} data-testid="connection" title={p.polling ? 'over HTTP polling' : undefined}>
          {p.state}
        </span>
        {p.connections !== undefined && (
          <span class="clients" data-testid="clients" title="clients connected to the sync server">
            {p.connections} {p.connections === 1 ? 'client' : 'clients'}
          </span>
        )}
      </span>
    </header>
  );
}
