import { createClient, NO_SERVER_PROBLEMS, watchServerProblems, type ClientMode, type ServerProblems, type TaskmasterClient } from '@taskmaster/client';
import { dismissNotice, ErrorCode, isTaskmasterError, stillOverridden, withOverridden, type TasksFile, type OverriddenNotice } from '@taskmaster/protocol';
import type { BoardSetup } from './config.js';

/** What the connection badge says (`data-testid="connection"`). */
export type ConnectionState = 'live' | 'reconnecting' | 'offline';

/**
 * A change another program wrote over (`sync.conflict`): Task Master, say,
 * wrote back a tag it had read before the change was made here. Its values
 * were kept; `ours` holds those they replaced. `key` is the task's.
 */
export type OverriddenChange = OverriddenNotice & { key: string };

/** Overridden changes kept for a page left open a long time: the latest per task, the last few tasks. */
const MAX_OVERRIDDEN = 20;

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
   * What the server cannot read: tasks.json as a whole (the board meanwhile
   * shows the last version the server read), or broken tags, each with what
   * is wrong.
   */
  problems: ServerProblems;
  /**
   * Changes other programs wrote over, oldest first: announced while the
   * page was open, or still standing when it connected (`sync.status`). Each
   * goes when put back, dismissed, or no longer standing (see
   * `stillOverridden`: the task changed again).
   */
  overridden: readonly OverriddenChange[];
}

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
    problems: NO_SERVER_PROBLEMS,
    overridden: [],
  };
  private readonly listeners = new Set<(view: SessionView) => void>();
  private frame: number | undefined;
  private everLive = false;

  constructor(setup: BoardSetup) {
    const options: Parameters<typeof createClient>[0] = { url: setup.url, clientName: 'board', replica: true, subscribe: ['*'] };
    if (setup.httpUrl !== undefined) options.httpUrl = setup.httpUrl;
    if (setup.token !== undefined) options.token = setup.token;
    this.client = createClient(options);
    this.client.replica!.onChange(() => this.update({ file: this.client.replica!.data(), version: this.view.version + 1 }));
    this.client.onModeChange((mode) => this.modeChanged(mode));
    this.client.on('sync.connected', (p) => this.update({ connections: p.connections }));
    this.client.on('sync.disconnected', (p) => this.update({ connections: p.connections }));
    watchServerProblems(
      this.client,
      (problems) => this.update({ problems }),
      (status) => {
        this.update({ connections: status.connections.length });
        // Overridden before this page connected (or while it was away) and still standing.
        this.overriddenSeen(status.overridden ?? []);
      },
    );
    this.client.on('sync.conflict', (change) => this.overriddenSeen([change]));
    // Task Master's current tag switched, whoever switched it: the view follows it while no other tag is picked.
    this.client.on('tag.current.changed', ({ current }) => this.update({ currentTag: current }));
    // Dismissed by anyone (this page, another, VS Code, the CLI): the other program's value stays, the notice goes.
    this.client.on('sync.conflict.dismissed', ({ notice }) => this.update({ overridden: dismissNotice(this.view.overridden, notice).rest }));
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

  /** Forgets an overridden change put back or dismissed from this page, before the event that ends it comes. */
  forgetOverridden(key: string): void {
    this.update({ overridden: this.view.overridden.filter((o) => o.key !== key) });
  }

  /** Adds overridden changes (see `withOverridden`). */
  private overriddenSeen(changes: ReadonlyArray<OverriddenNotice>): void {
    const fresh = changes.map((c) => ({ ...c, key: `${c.tag}\n${c.id}` }));
    if (fresh.length === 0) return;
    // The replica has taken the events before each notice: a notice pulled late may be over already.
    this.update({ overridden: withOverridden(this.view.overridden, fresh, this.client.replica!.data()).slice(-MAX_OVERRIDDEN) });
  }

  /** Re-reads Task Master's current tag: at every (re)connection (between them, `tag.current.changed` says when it switches). */
  async refreshTags(): Promise<void> {
    const tags = await this.client.call('tags.list');
    this.update({ currentTag: tags.current });
  }

  private modeChanged(mode: ClientMode): void {
    if (this.view.fatal) return;
    if (mode !== 'offline') {
      this.everLive = true;
      this.update({ state: 'live', polling: mode === 'polling' });
      // Connections and standing overridden changes come with the status the problems watcher asks for.
      this.refreshTags().catch(() => {
        // A connection lost right away: the next one asks again.
      });
      return;
    }
    const online = typeof navigator === 'undefined' || navigator.onLine;
    this.update({ state: this.everLive && online ? 'reconnecting' : 'offline', polling: false });
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
      // Once a frame, not at each event of a burst: each look-up scans a tag's tasks.
      const { file, overridden } = this.view;
      if (file && overridden.length > 0) {
        const standing = overridden.filter((o) => stillOverridden(o, file));
        if (standing.length !== overridden.length) this.view = { ...this.view, overridden: standing };
      }
      for (const listener of [...this.listeners]) listener(this.view);
    };
    this.frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(flush) : (setTimeout(flush, 0) as unknown as number);
  }
}
