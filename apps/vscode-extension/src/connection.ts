import * as vscode from 'vscode';
import { createClient, NO_SERVER_PROBLEMS, watchServerProblems, type ClientMode, type ServerProblems, type TaskmasterClient } from '@taskmaster/client';
import { ErrorCode, TaskmasterError, type MethodResult, type TasksFile } from '@taskmaster/protocol';
import { ReadOnlySource } from './readOnlySource.js';
import { explicitEndpoints } from './endpoints.js';
import type { Settings } from './settings.js';

/** What the status bar and commands see of the connection. */
export type ConnectionState = 'connecting' | 'live' | 'polling' | 'offline' | 'error';

/** A state change with a reason a person can read. */
export interface StateChange {
  state: ConnectionState;
  /** Why: the error message in `error`, the read-only note in `offline`. */
  detail?: string;
}

/** Why edits are off in a state that is not writable, as a person reads it (notifications, the tree's message). */
export function readOnlyReason(state: ConnectionState): string {
  if (state === 'connecting') return 'still connecting to the sync server; try again in a moment';
  if (state === 'error') return 'the tasks cannot be edited until the error in the status bar is fixed';
  return 'tasks are read-only because no sync server is running';
}

const READ_ONLY_NOTE = 'no sync server answers: showing .taskmaster/tasks/tasks.json read-only';

/** How long to wait for a server before showing the file read-only. */
const FIRST_CONNECT_MS = 3000;

const STATE_OF_MODE: Record<ClientMode, ConnectionState> = { realtime: 'live', polling: 'polling', offline: 'offline' };

/**
 * The extension's link to its data: a @taskmaster/client while a server
 * answers (kept retrying in the background, so a restarted server is picked
 * up), the tasks file read-only while none does.
 *
 * Data arrives in two forms: whole files (`onData`: first sync, every
 * reconnect, every read-only reload) and events (`onEvent`) while live. The
 * extension itself never polls; the client falls back to HTTP polling only
 * when the socket cannot connect.
 */
export class Connection implements vscode.Disposable {
  private client: TaskmasterClient | undefined;
  private readonly readOnly: ReadOnlySource;
  private current: StateChange = { state: 'connecting' };
  private readonly stateEmitter = new vscode.EventEmitter<StateChange>();
  private readonly dataEmitter = new vscode.EventEmitter<TasksFile>();
  private readonly eventEmitter = new vscode.EventEmitter<{ event: string; payload: unknown }>();
  private readonly problemsEmitter = new vscode.EventEmitter<ServerProblems>();
  private readonly statusEmitter = new vscode.EventEmitter<MethodResult<'sync.status'>>();
  private currentProblems: ServerProblems = NO_SERVER_PROBLEMS;
  private stopWatchingProblems: (() => void) | undefined;
  private generation = 0;

  /** Fired on every state change. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fired with a whole tasks file: replace everything. */
  readonly onDidLoad = this.dataEmitter.event;
  /** Fired with every server event while live or polling. */
  readonly onDidReceiveEvent = this.eventEmitter.event;
  /** Fired when what cannot be read changes: the whole file (from a server), or broken tags (from a server or the file). */
  readonly onDidChangeProblems = this.problemsEmitter.event;
  /** Fired with each `sync.status` the server answered: at every connection, and when what it cannot read may have changed. */
  readonly onDidReceiveStatus = this.statusEmitter.event;

  constructor(
    private readonly folder: vscode.WorkspaceFolder,
    private settings: Settings,
  ) {
    this.readOnly = new ReadOnlySource(
      folder,
      ({ data, tagProblems }) => {
        this.dataEmitter.fire(data);
        this.setProblems({ file: undefined, tags: tagProblems });
        // A file that was broken and is fixed again: back to plain read-only.
        if (this.current.state === 'error') this.setState({ state: 'offline', detail: READ_ONLY_NOTE });
      },
      (err) => this.setState({ state: 'error', detail: err.message }),
    );
  }

  get state(): StateChange {
    return this.current;
  }

  /** The project root. */
  get root(): string {
    return this.folder.uri.fsPath;
  }

  /** True when edits can be sent (a server answers over the socket or HTTP). */
  get writable(): boolean {
    return this.current.state === 'live' || this.current.state === 'polling';
  }

  /** Connects (again), dropping any previous client. Resolves once live or read-only. */
  async connect(settings: Settings = this.settings): Promise<void> {
    this.settings = settings;
    const generation = ++this.generation;
    await this.dropClient();
    this.setState({ state: 'connecting' });
    const client = createClient({
      root: this.root,
      ...explicitEndpoints(settings),
      clientName: 'vscode',
      replica: true,
      reconnect: { minDelayMs: 100, maxDelayMs: 2000 },
    });
    this.client = client;
    client.onModeChange((mode) => {
      if (generation === this.generation) this.modeChanged(client, mode);
    });
    client.on('*', (payload, event) => {
      if (generation === this.generation) this.eventEmitter.fire({ event, payload });
    });
    this.stopWatchingProblems = watchServerProblems(
      client,
      (problems) => {
        if (generation === this.generation && this.writable) this.setProblems(problems);
      },
      (status) => {
        if (generation === this.generation && this.writable) this.statusEmitter.fire(status);
      },
    );
    try {
      await client.ready(FIRST_CONNECT_MS);
    } catch (err) {
      if (generation !== this.generation) return;
      if (err instanceof TaskmasterError && err.code === ErrorCode.AuthenticationFailed) {
        this.setState({ state: 'error', detail: `${err.message}; set taskmaster.token or restart the server` });
        return;
      }
      // No server yet: show the file, keep the client retrying in the background.
      this.modeChanged(client, 'offline');
    }
  }

  /**
   * Calls a server method. Fails fast with 1001 while no server answers,
   * instead of queueing an edit the user is waiting on.
   */
  api(): TaskmasterClient {
    if (!this.client || !this.writable) {
      throw new TaskmasterError(
        ErrorCode.ConnectionFailed,
        'no TaskMaster sync server is running, so tasks are read-only; run "TaskMaster: Start Server" (or taskmaster sync server start)',
      );
    }
    return this.client;
  }

  /** Pulls what changed since the last event (live), or re-reads the file (read-only). */
  async refresh(): Promise<void> {
    if (this.client && this.writable) {
      await this.client.resync();
      const data = this.client.replica?.data();
      if (data) this.dataEmitter.fire(data);
    } else {
      this.readOnly.reload();
    }
  }

  private modeChanged(client: TaskmasterClient, mode: ClientMode): void {
    const state = STATE_OF_MODE[mode];
    if (state === 'offline') {
      this.readOnly.start();
      this.setState({ state, detail: READ_ONLY_NOTE });
      return;
    }
    this.readOnly.dispose();
    const data = client.replica?.data();
    if (data) this.dataEmitter.fire(data);
    this.setState({ state });
  }

  /** What cannot be read now (nothing while all is well). */
  get problems(): ServerProblems {
    return this.currentProblems;
  }

  private setProblems(problems: ServerProblems): void {
    this.currentProblems = problems;
    this.problemsEmitter.fire(problems);
  }

  private setState(change: StateChange): void {
    if (change.state === this.current.state && change.detail === this.current.detail) return;
    this.current = change;
    this.stateEmitter.fire(change);
  }

  private async dropClient(): Promise<void> {
    this.stopWatchingProblems?.();
    this.stopWatchingProblems = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  dispose(): void {
    this.generation++;
    this.readOnly.dispose();
    void this.dropClient();
    this.stateEmitter.dispose();
    this.dataEmitter.dispose();
    this.problemsEmitter.dispose();
    this.statusEmitter.dispose();
    this.eventEmitter.dispose();
  }
}
