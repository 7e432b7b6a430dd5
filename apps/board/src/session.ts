import { createClient, type ClientMode, type TaskmasterClient } from '@taskmaster/client';
import { ErrorCode, isTaskmasterError, type EventPayload, type MethodResult, type TasksFile } from '@taskmaster/protocol';
import type { BoardSetup } from './config.js';

/** What the connection badge says (`data-testid="connection"`). */
export type ConnectionState = 'live' | 'reconnecting' | 'offline';

/** A snapshot of everything the board draws that comes from the server. */
export interface SessionView {
  state: ConnectionState;
  /** Over HTTP polling rather than the WebSocket. */
  polling: boolean;
  file: TasksFile | undefined;
  /** Bumped at every change of `file`, so views can memoise on it. */
  version: number;
  /** Task Master's current tag (state.json), once known. */
  currentTag: string | undefined;
  /** How many clients the server has (this one included). */
  connections: number | undefined;
  /** A refusal retrying cannot fix (wrong token, origin not allowed). */
  fatal: string | undefined;
  /**
   * Why the server cannot read tasks.json (not JSON, not a tasks file,
   * missing), from its `file.invalid` or `file.missing`, until `file.changed`
   * says the file is readable again. The board meanwhile shows the last
   * version the server read.
   */
  fileProblem: { kind: 'invalid' | 'missing'; message: string } | undefined;
  /** Broken tags (a task in them does not validate), each with what is wrong, as `tags.list` says: `task 7, field title: …`. */
  tagProblems: Readonly<Record<string, string>>;
}

/** How long after a notice that may change which tags are broken `tags.list` is asked again: a burst asks once. */
const TAG_PROBLEMS_DELAY_MS = 50;

/**
 * The board's one connection: a `@taskmaster/client` with a replica of the
 * whole tasks file, turned into {@link SessionView} snapshots. Bursts of
 * events repaint once per animation frame.
 */
export class Session {
  readonly client: TaskmasterClient;
  private view: SessionView = {
    state: 'offline',
    polling: false,
    file: undefined,
    version: 0,
    currentTag: undefined,
    connections: undefined,
    fatal: undefined,
    fileProblem: undefined,
    tagProblems: {},
  };
  private readonly listeners = new Set<(view: SessionView) => void>();
  private frame: number | undefined;
  private everLive = false;
  private tagsTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(setup: BoardSetup) {
    const options: Parameters<typeof createClient>[0] = { url: setup.url, clientName: 'board', replica: true, subscribe: ['*'] };
    if (setup.httpUrl !== undefined) options.httpUrl = setup.httpUrl;
    if (setup.token !== undefined) options.token = setup.token;
    this.client = createClient(options);
    this.client.replica!.onChange(() => this.update({ file: this.client.replica!.data(), version: this.view.version + 1 }));
    this.client.onModeChange((mode) => this.modeChanged(mode));
    this.client.on('sync.connected', (p) => this.update({ connections: p.connections }));
    this.client.on('sync.disconnected', (p) => this.update({ connections: p.connections }));
    this.client.on('file.missing', (p: EventPayload<'file.missing'>) => this.update({ fileProblem: { kind: 'missing', message: p.message } }));
    // A tag that broke comes with its name; tags.list says what is wrong with it, as it does after a (re)connection.
    this.client.on('file.invalid', (p: EventPayload<'file.invalid'>) =>
      p.tag === undefined ? this.update({ fileProblem: { kind: 'invalid', message: p.message } }) : this.tagsMayHaveChanged(),
    );
    // Readable again; and a broken tag is mended by a version of the file like any other change.
    this.client.on('file.changed', () => {
      if (this.view.fileProblem) this.update({ fileProblem: undefined });
      if (Object.keys(this.view.tagProblems).length > 0) this.tagsMayHaveChanged();
    });
    this.client.ready(30_000).catch((err: unknown) => this.failed(err));
    if (typeof window !== 'undefined') window.addEventListener('online', () => this.modeChanged(this.client.mode));
  }

  get current(): SessionView {
    return this.view;
  }

  /** Calls `listener` with each new view; returns the function that stops it. */
  subscribe(listener: (view: SessionView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads Task Master's current tag (after `tag.use`, or another client's) and which tags are broken. */
  async refreshTags(): Promise<void> {
    const tags = await this.client.call('tags.list');
    this.update({ currentTag: tags.current, tagProblems: problemsOf(tags) });
  }

  private tagsMayHaveChanged(): void {
    clearTimeout(this.tagsTimer);
    this.tagsTimer = setTimeout(() => void this.refreshTags().catch(() => {}), TAG_PROBLEMS_DELAY_MS);
  }

  private modeChanged(mode: ClientMode): void {
    if (this.view.fatal) return;
    if (mode !== 'offline') {
      this.everLive = true;
      this.update({ state: 'live', polling: mode === 'polling' });
      void this.afterConnect();
      return;
    }
    const online = typeof navigator === 'undefined' || navigator.onLine;
    this.update({ state: this.everLive && online ? 'reconnecting' : 'offline', polling: false });
  }

  /** Counts, the current tag and what the server cannot read are asked again at every (re)connection: they may have changed meanwhile. */
  private async afterConnect(): Promise<void> {
    try {
      const status = await this.client.call('sync.status');
      this.update({ connections: status.connections.length, fileProblem: status.fileProblem });
      await this.refreshTags();
    } catch {
      // A connection lost right away: the next one asks again.
    }
  }

  /** Only a refusal is final; any other failure to connect is retried by the client while the badge says offline. */
  private failed(err: unknown): void {
    if (!isTaskmasterError(err, ErrorCode.AuthenticationFailed)) return;
    this.update({
      state: 'offline',
      fatal: 'The sync server refused this board: the token is missing or wrong. Open the address `taskmaster board` prints (it carries the token).',
    });
  }

  private update(patch: Partial<SessionView>): void {
    this.view = { ...this.view, ...patch };
    if (this.frame !== undefined) return;
    const flush = () => {
      this.frame = undefined;
      for (const listener of [...this.listeners]) listener(this.view);
    };
    this.frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(flush) : (setTimeout(flush, 0) as unknown as number);
  }
}

function problemsOf(tags: MethodResult<'tags.list'>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const t of tags.tags) if (t.problem !== undefined) problems[t.name] = t.problem;
  return problems;
}
