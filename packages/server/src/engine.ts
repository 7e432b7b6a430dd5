import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  brokenTagNotice,
  diffTasksFiles,
  ErrorCode,
  isLegacyTasksFile,
  ownTag,
  tagsOf,
  withTagsAs,
  TaskmasterError,
  withoutTags,
  type AnyEvent,
  type EventName,
  type EventPayload,
  type FieldConflict,
  type FileProblem,
  type LoggedEventName,
  type TagProblem,
  type TaskChange,
  type OverriddenNotice,
  type TasksFile,
} from '@taskmaster/protocol';
import { followCurrentTag, missingTasksFileError, openStore, StaleVersionError, type Store } from '@taskmaster/store';
import type { NotedVersion } from '@taskmaster/team';
import { watchTasks, type TasksWatcher } from '@taskmaster/watcher';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { generateToken } from './token.js';
import { ChangeLog } from './state/change-log.js';
import { CommitQueue, type OpOutcome, type QueuedOp } from './state/commit-queue.js';
import { LockShare } from './state/lock-share.js';
import { ConflictRegistry } from './state/conflicts.js';
import { watchCurrentTag, type CurrentTagWatch } from './state/current-tag-watch.js';
import { keepsRecentChanges, planOutsideWrite, staleTouched } from './state/outside-write.js';
import { RecentVersions } from './state/recent-versions.js';
import { StandingOverridden } from './state/standing-overridden.js';
import type { Connection } from './ws/connection.js';
import { OutgoingEvent } from './ws/outgoing-event.js';

/** The outcome of adopting a new version of the file. */
export interface Adopted {
  revision: number;
  changes: TaskChange[];
}

/**
 * The server's state: the file in memory, its revisions, the commit queue,
 * pending conflicts and the connections events go to. Every version of the
 * file — the server's own commits and outside writes — passes through
 * {@link SyncEngine.adopt}, so clients always get the diff from the version
 * they hold.
 */
export class SyncEngine {
  readonly changeLog = new ChangeLog();
  readonly conflicts = new ConflictRegistry();
  readonly connections = new Set<Connection>();
  private readonly lockShare = new LockShare();
  readonly queue = new CommitQueue({
    announce: (batch) => this.announceOps(batch),
    persist: (ops) => this.persistAnnounced(ops),
    adoptFile: async () => void (await this.adoptOutsideWrite(await this.readFile())),
    withdraw: () => this.tellWhatTheFileHolds(),
  });
  /** The versions the file held lately: what an outside write may have been made from. */
  private readonly recent = new RecentVersions();
  /** Changes announced since the last version recorded in {@link recent}. */
  private unrecorded: TaskChange[] = [];
  readonly startedAt = new Date();
  /** The tasks file relative to the project root, as events name it. */
  readonly filePath: string;
  /** The version clients hold; `hash` is undefined while it is announced but not yet on disk. */
  private doc: { data: TasksFile; hash: string | undefined };
  /** The tags clients were last told the file holds (JSON of the names): `file.changed` names them again only when they change. */
  private toldTags: string;
  /** sha256 of the version the file holds as far as we know (what our next write must find there). */
  private fileHash: string;
  private watcher: TasksWatcher | undefined;
  /** Task Master's current tag, told to clients when it switches (`tag.current.changed`). */
  private tagWatch: CurrentTagWatch | undefined;
  /** Versions the watcher read, waiting to be adopted ({@link adoptReportedVersions}), each with when it reported them (performance.now()). */
  private reported: Array<OutsideVersion & { seenAt: number }> = [];
  /** When the file was last read to adopt what it holds (performance.now()). */
  private lastFileRead = -Infinity;
  private adoptionQueued = false;
  private closing = false;
  /**
   * Told of each version the file comes to hold, the changes since the last,
   * and how it came: `team` written by {@link applyRemote}, `whole` taken
   * whole ({@link takeVersion}: an outside write, a restore; with its broken
   * tags), else `commit`. Team sync's outbox.
   */
  onVersion: ((version: NotedVersion) => void) | undefined;
  /**
   * Whether the team's log holds an item under this id (every member knows
   * it by it): the merge of an outside write made from a stale read then
   * renumbers the writer's new item under that id instead of ours. Set by
   * team sync.
   */
  teamHolds: ((tag: string, fullId: string) => boolean) | undefined;
  private applyingRemote = false;
  /** Whether changes announced but not yet written were dropped by taking another writer's version: the write carrying them fails. */
  private announcedLost = false;
  /** Whether the watcher found the file missing (and it has not been seen back since): writes are refused before they are announced. */
  private missing = false;
  /** What the last `file.invalid` (of the whole file) or `file.missing` said, until the next `file.changed`. */
  private problem: FileProblem | undefined;
  /** The file's size as read at start: with its hash, the watcher's first look knows it without reading it again. */
  private readonly bytesAtStart: number;
  /**
   * The tags broken in the version clients hold, each as clients hold it: as
   * it was before it broke (no events are sent for a broken tag), or as read
   * when it was broken already at start; undefined when they never had it.
   * Snapshots and pulls send these ({@link served}), and a tag mended is told
   * as the change from them, so that every client ends where the file is.
   */
  private readonly heldBroken = new Map<string, unknown>();
  /** {@link served} for the current version, made once. */
  private servedView: { from: TasksFile; view: TasksFile } | undefined;
  /** The overridden changes announced, and kept from before a restart, that may still stand. */
  private readonly standing: StandingOverridden;

  private constructor(
    readonly store: Store,
    readonly options: ResolvedOptions,
    initial: { data: TasksFile; hash: string; bytes: number; brokenTags: readonly TagProblem[] },
  ) {
    this.doc = { data: initial.data, hash: initial.hash };
    this.toldTags = JSON.stringify(Object.keys(tagsOf(initial.data)));
    if (!isLegacyTasksFile(initial.data)) for (const p of initial.brokenTags) this.heldBroken.set(p.tag, ownTag(initial.data, p.tag));
    this.bytesAtStart = initial.bytes;
    this.fileHash = initial.hash;
    // The version read at start is one an outside writer may already hold a copy of.
    this.recent.add(initial.data, initial.hash, []);
    this.filePath = relative(store.root, store.paths.tasksFile).split(sep).join('/');
    this.standing = new StandingOverridden(store.overridden, (what, err) =>
      this.options.log('warn', `could not ${what} the overridden changes kept for a restart (tasks/history/overridden.json)`, { error: errorName(err) }),
    );
  }

  /** Opens the project's store and starts watching its tasks file. */
  static async open(given: ServerOptions): Promise<SyncEngine> {
    if (!existsSync(join(given.root, '.taskmaster'))) {
      throw new TaskmasterError(
        ErrorCode.FileAccessDenied,
        `no .taskmaster directory in ${given.root}; run "taskmaster init" there first`,
      );
    }
    // Streams of commits: their snapshots are compressed once the stream pauses (see TaskHistory.settle).
    const store = await openStore(given.root, { actor: 'server', historyQuietMs: HISTORY_QUIET_MS });
    const options = resolveOptions(given, store.config, generateToken);
    const first = await store.read();
    const engine = new SyncEngine(store, options, { data: first.data, hash: first.hash, bytes: first.bytes, brokenTags: first.brokenTags ?? [] });
    await engine.takeKeptNotices();
    await engine.startWatching();
    return engine;
  }

  /** The overridden changes that still stand (`sync.status`), oldest first. */
  get overridden(): OverriddenNotice[] {
    return this.standing.standing(this.doc.data);
  }

  /**
   * `overridden.dismiss`: drops the standing notice named `notice` and tells
   * every client (`sync.conflict.dismissed`, in the change log for those away).
   * False when no such notice stands.
   */
  dismissOverridden(notice: string): boolean {
    const gone = this.standing.dismiss(notice, this.doc.data);
    if (!gone) return false;
    this.publish([this.logged({ event: 'sync.conflict.dismissed', payload: { tag: gone.tag, id: gone.id, notice } })]);
    return true;
  }

  /** The current file: the store's frozen version, shared by everyone. */
  get data(): TasksFile {
    return this.doc.data;
  }

  /** The current file as clients hold it: each broken tag as they last had it (see {@link heldBroken}). What snapshots and pulls send. */
  get served(): TasksFile {
    if (this.heldBroken.size === 0) return this.doc.data;
    if (this.servedView?.from !== this.doc.data) this.servedView = { from: this.doc.data, view: withTagsAs(this.doc.data, this.heldBroken) };
    return this.servedView.view;
  }

  /**
   * The task events that take clients from what they hold to `data`, whose
   * broken tags are `broken`: a tag that breaks is held as they have it, and
   * one mended (or deleted) is told from what they hold of it.
   */
  private changesTo(data: TasksFile, broken: readonly string[]): TaskChange[] {
    // The legacy format's one tag is the whole file: nothing to hold it beside.
    if (isLegacyTasksFile(data) || isLegacyTasksFile(this.doc.data)) {
      this.heldBroken.clear();
      this.servedView = undefined;
      return diffTasksFiles(withoutTags(this.doc.data, broken), withoutTags(data, broken));
    }
    const before = this.served;
    const now = new Set(broken);
    for (const tag of [...this.heldBroken.keys()]) if (!now.has(tag)) this.heldBroken.delete(tag);
    for (const tag of broken) if (!this.heldBroken.has(tag)) this.heldBroken.set(tag, ownTag(before, tag));
    this.servedView = undefined;
    return diffTasksFiles(before, withTagsAs(data, this.heldBroken));
  }

  /** The current file with its broken tags (left as they are; reads of them are refused). */
  get version(): { data: TasksFile; brokenTags: readonly TagProblem[] } {
    return { data: this.doc.data, brokenTags: this.store.brokenTags(this.doc.data) };
  }

  /** Why the server cannot read tasks.json now, if it cannot: `sync.status` tells clients that connect meanwhile. */
  get fileProblem(): FileProblem | undefined {
    return this.problem;
  }

  get revision(): number {
    return this.changeLog.revision;
  }

  /** Task Master's current tag (the store reads state.json again only when it changed). */
  currentTag(): Promise<string> {
    return this.store.currentTag();
  }

  /**
   * Makes `data`, which the file now holds, the current version: clients get
   * the task events from the version they hold, then `file.changed`, in one
   * message. For versions that reach the file whole: outside writes, restores.
   * `broken` holds its broken tags: none for a restore, whose snapshot was
   * validated whole. Each tag broken in it and not in the version clients
   * held gets a `file.invalid` naming it, after `file.changed`.
   */
  takeVersion(data: TasksFile, hash: string, source: 'server' | 'external', { diffed, broken = [] }: Pick<Partial<OutsideVersion>, 'diffed' | 'broken'> = {}): Adopted {
    if (hash === this.doc.hash) return { revision: this.revision, changes: [] };
    const names = broken.map((p) => p.tag);
    const newlyBroken = broken.filter((p) => !this.heldBroken.has(p.tag));
    // The watcher's diff, when it started from the very version clients hold and no tag is or was broken,
    // is not made again. Made here, it tells clients nothing of a broken tag: a task without a title is no event.
    const fromHeld = diffed && diffed.from !== undefined && diffed.from === this.doc.hash && names.length === 0 && this.heldBroken.size === 0;
    const changes = fromHeld ? diffed.changes : this.changesTo(data, names);
    if (newlyBroken.length > 0) this.options.log('warn', 'an outside write left tags of the tasks file invalid; keeping them as they are', { tags: newlyBroken.length });
    this.publish([
      ...this.announced(data, changes),
      this.fileHolds(data, hash, source, { whole: { brokenTags: names } }),
      ...newlyBroken.map((p) => this.logged({ event: 'file.invalid', payload: { path: this.filePath, message: brokenTagNotice(p), tag: p.tag } })),
    ]);
    return { revision: this.revision, changes };
  }

  /**
   * Clients are to hold `data`, which the file may not hold yet: each change
   * gets its revision; returns the events to publish.
   */
  private announced(data: TasksFile, changes: readonly TaskChange[]): OutgoingEvent[] {
    this.doc = { data, hash: undefined };
    this.unrecorded.push(...changes);
    return changes.map((change) => this.logged(change));
  }

  /**
   * The file holds `data` (sha256 `hash`), which carries the first `included`
   * changes announced since the last version it held (all by default): a
   * recent version. Clients may hold a later one already. `whole`, for a
   * version taken whole, names its broken tags. Returns `file.changed`.
   */
  private fileHolds(
    data: TasksFile,
    hash: string,
    source: 'server' | 'external',
    { included = this.unrecorded.length, whole }: { included?: number; whole?: { brokenTags: readonly string[] } } = {},
  ): OutgoingEvent {
    if (this.doc.data === data) this.doc = { data, hash };
    this.fileHash = hash;
    // Adopted already (read by a commit before the watcher's report came round): not again.
    this.reported = this.reported.filter((r) => r.hash !== hash);
    const changes = this.unrecorded.splice(0, included);
    this.recent.add(data, hash, changes.map((c) => [c.payload.tag, c.payload.id] as const));
    if (this.onVersion) {
      if (this.applyingRemote) this.onVersion({ origin: 'team', data, changes });
      else if (whole) this.onVersion({ origin: 'whole', data, changes, brokenTags: whole.brokenTags });
      else this.onVersion({ origin: 'commit', data, changes });
    }
    return this.fileChanged(source, hash);
  }

  private fileChanged(source: 'server' | 'external', hash: string): OutgoingEvent {
    this.problem = undefined;
    // The tags of the version clients hold (with commits pipelined, it may be later than the file's):
    // a tag gone, or an empty one come, is told by no task event.
    const tags = Object.keys(tagsOf(this.doc.data));
    const told = JSON.stringify(tags);
    const payload: Omit<EventPayload<'file.changed'>, 'revision'> = { path: this.filePath, source, hash };
    if (told !== this.toldTags) {
      this.toldTags = told;
      payload.tags = tags;
    }
    return this.logged({ event: 'file.changed', payload });
  }

  /**
   * Adopts, in order and in line with commits, the versions the watcher
   * reported. Each is adopted even when the file has moved on since: a second
   * Task Master process may overwrite the first one's version within
   * milliseconds (it too writes back a tag it read before), and only a version
   * we adopted can be merged back into the one that replaced it.
   */
  private adoptReportedVersions(): Promise<void> {
    return this.queue.exclusive(async () => {
      this.adoptionQueued = false;
      for (let next = this.reported.shift(); next; next = this.reported.shift()) {
        // Read from the file since, by a write of ours that found it changed: what that read is newer, and
        // adopted. Its writer may have read this one and built on it; planned after it, this one would look
        // like an undo of what that writer added, and drop it.
        if (next.seenAt < this.lastFileRead) continue;
        await this.adoptOutsideWrite(next, true);
      }
    });
  }

  /** Reads the file to adopt what it holds, noting when: versions the watcher read before are older. */
  private async readFile(): Promise<OutsideVersion> {
    this.lastFileRead = performance.now();
    const read = await this.store.read();
    return { data: read.data, hash: read.hash, broken: read.brokenTags ?? [] };
  }

  /** Asks the watcher to look now (so its baseline moves too), then adopts what is on disk. */
  rescan(): Promise<Adopted> {
    return this.queue.exclusive(async () => {
      await this.watcher?.rescan();
      return this.adoptFromDisk('external');
    });
  }

  private async adoptFromDisk(source: 'server' | 'external'): Promise<Adopted> {
    const read = await this.readFile();
    if (source === 'external') return this.adoptOutsideWrite(read);
    return this.takeVersion(read.data, read.hash, source, { broken: read.broken });
  }

  /**
   * Adopts a version written by someone else. One made from a stale read
   * (Task Master writes back the whole tag it read before taking the lock)
   * would undo changes it never saw: it is merged with them and the merge is
   * written in its place, then clients get the net change from what they
   * hold, and a `sync.conflict` for each task where both sides changed a field.
   */
  private async adoptOutsideWrite(read: OutsideVersion, reported = false): Promise<Adopted> {
    /** Changes announced by earlier attempts, whose merge another writer replaced before it was written. */
    const earlier: TaskChange[] = [];
    const withEarlier = (adopted: Adopted): Adopted => (earlier.length === 0 ? adopted : { revision: adopted.revision, changes: [...earlier, ...adopted.changes] });
    for (let attempt = 0; ; attempt++) {
      if (read.hash === this.doc.hash) return { revision: this.revision, changes: earlier };
      // Changes clients hold that the file may not (a merge not yet written) count as recent too.
      const touched = this.unrecorded.map((c) => [c.payload.tag, c.payload.id] as const);
      const current = { data: this.doc.data, hash: this.doc.hash, at: Date.now(), touched };
      const plan = planOutsideWrite(read, current, this.recent.list(), this.teamHolds);
      if (plan.kind === 'take') {
        // Changes announced but not yet written that theirs lacks (an older version put back meanwhile) go with it: their ops fail.
        if (this.doc.hash === undefined && !keepsRecentChanges(read.data, this.doc.data, [current])) this.announcedLost = true;
        const before = this.doc.data;
        const adopted = this.takeVersion(read.data, read.hash, 'external', read);
        await this.keepDeletedTasks(before, adopted);
        return withEarlier(adopted);
      }
      // The file held theirs, if briefly: once its merge is written or announced, it is known as a stale
      // version — reported by the watcher later, not merged a second time against the merge, which would
      // drop our side; and a write made from it (or of it again) is merged against it. Not before: were
      // the merge lost (the write fails), theirs planned again against itself would lose what it added.
      const theirs = read;
      const markStale = () => {
        this.recent.add(theirs.data, theirs.hash, staleTouched(plan.base, theirs.data), { stale: true });
        this.reported = this.reported.filter((r) => r.hash !== theirs.hash);
      };
      // Our side of a conflict stays restorable: it never reached the file as it was.
      const snapshot = plan.conflicts.length > 0 ? await this.store.history.save(this.doc.data).catch(() => undefined) : undefined;
      try {
        // A tag theirs left broken keeps our changes to it, broken as they left it: refused, every write
        // after would find the file stale and fail the same way until someone fixed the tag.
        const res = await this.store.transact((draft) => replaceContents(draft, plan.merged), {
          reason: 'rebase',
          actor: 'server',
          expectHash: read.hash,
          brokenTagsStay: true,
        });
        markStale();
        const before = this.doc.data;
        const adopted = this.takeVersion(res.data, res.hash, 'external', { broken: read.broken });
        this.announceConflicts(plan.conflicts, snapshot);
        // The snapshot of a conflict is that same version.
        if (snapshot === undefined) await this.keepDeletedTasks(before, adopted);
        this.options.log('info', 'merged an outside write made from a stale version', {
          conflicts: plan.conflicts.length,
          renumbered: plan.renumbered.length,
        });
        return withEarlier(adopted);
      } catch (err) {
        if (!(err instanceof StaleVersionError)) throw err;
        markStale();
        // Yet another writer replaced theirs already, perhaps from a read of theirs. Clients hold the merge,
        // which the file does not (hash unknown), and the newer version is merged with it in turn. Merged
        // with the version before it instead, what theirs added would look undone by us, and be dropped.
        const changes = this.changesTo(plan.merged, read.broken.map((p) => p.tag));
        this.publish(this.announced(plan.merged, changes));
        this.announceConflicts(plan.conflicts, snapshot);
        earlier.push(...changes);
        // The watcher reports the newer version too. Otherwise look at what the file holds now, a few
        // times: the next write of ours tries again (and adopts the file first), carrying the merge.
        if (reported || attempt >= 3) return { revision: this.revision, changes: earlier };
        read = await this.readFile();
      }
    }
  }

  /**
   * What a task held here when another program deleted it (Task Master's
   * remove-task has no undo, and may have read the task before a change made
   * here) is in no snapshot: that program's rename replaced the file holding
   * it. Once clients have been told, `before` (the version clients held) goes
   * to history when `adopted` deleted a task, so `taskmaster history restore`
   * brings it back.
   */
  private async keepDeletedTasks(before: TasksFile, adopted: Adopted): Promise<void> {
    if (adopted.changes.some((c) => c.event === 'task.deleted')) await this.store.history.save(before).catch(() => undefined);
  }

  /**
   * Writes the version `plan` makes from the current one (team sync's changes from other machines), in line
   * with commits, and announces its conflicts as for outside writes; `plan` runs again after adopting an outside write.
   */
  applyRemote(plan: (current: TasksFile) => { merged: TasksFile; conflicts: FieldConflict[] } | undefined): Promise<void> {
    return this.queue.exclusive(async () => {
      for (let attempt = 0; ; attempt++) {
        const planned = plan(this.doc.data);
        if (!planned) return;
        try {
          const before = this.doc.data;
          const res = await this.store.transact((draft) => replaceContents(draft, planned.merged), { reason: 'team', actor: 'server', expectHash: this.doc.hash ?? UNWRITTEN });
          this.applyingRemote = true;
          try {
            this.takeVersion(res.data, res.hash, 'server');
          } finally {
            this.applyingRemote = false;
          }
          // What a teammate's change overrode here stays restorable, as for an outside write: the write's
          // snapshot of the version before (a change a delete dropped has no put-back but the snapshot).
          this.announceConflicts(planned.conflicts, res.snapshot);
          // The current tag renamed or deleted on another machine: state.json follows (the file is written: a failure here loses nothing).
          await followCurrentTag(this.store, before, res.data).catch((err: unknown) =>
            this.options.log('warn', 'could not point state.json at a tag that exists', { error: errorName(err) }),
          );
          return;
        } catch (err) {
          if (!(err instanceof StaleVersionError) || attempt >= 3) throw err;
          await this.adoptOutsideWrite(await this.readFile());
        }
      }
    });
  }

  private announceConflicts(conflicts: FieldConflict[], snapshot: string | undefined): void {
    const byTask = new Map<string, Omit<OverriddenNotice, 'revision'>>();
    for (const c of conflicts) {
      const key = JSON.stringify([c.tag, c.id]);
      let payload = byTask.get(key);
      if (!payload) {
        payload = { tag: c.tag, id: c.id, fields: [], ours: {}, theirs: {} };
        if (snapshot !== undefined) payload.snapshot = snapshot;
        byTask.set(key, payload);
      }
      payload.fields.push(c.field);
      payload.ours[c.field] = c.ours;
      payload.theirs[c.field] = c.theirs;
    }
    const announced = [...byTask.values()].map((payload) => this.logged({ event: 'sync.conflict', payload }));
    this.publish(announced);
    this.standing.add(announced.map((e) => e.payload as OverriddenNotice), this.doc.data);
  }

  /**
   * The overridden changes kept from before a restart that still stand, in
   * this server's change log with revisions of its epoch: pulled like any
   * notice, and named by them in `sync.status`.
   */
  private async takeKeptNotices(): Promise<void> {
    const kept = await this.standing.kept(this.doc.data);
    this.standing.add(kept.map((payload) => this.logged({ event: 'sync.conflict', payload }).payload as OverriddenNotice), this.doc.data);
  }

  /** Sends an event that is not part of the change log (connections). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>, everyone = false): void {
    this.publish([new OutgoingEvent(event, payload)], everyone);
  }

  /**
   * `event` with the next revision, in the change log: a client that polls,
   * or resyncs after a disconnect, pulls it with the others it missed. Task
   * changes, the file's versions, and the notices about the file (a problem,
   * a conflict) all go here, so none is lost to a client that was away.
   */
  private logged(event: Unlogged): OutgoingEvent {
    const e = this.changeLog.append((revision) => ({ event: event.event, payload: { ...event.payload, revision } }) as AnyEvent);
    return new OutgoingEvent(e.event, e.payload);
  }

  /** Routes events to the connections that subscribed to them. */
  publish(events: OutgoingEvent[], everyone = false): void {
    for (const conn of this.connections) conn.deliver(events, everyone);
  }

  /** Lets commits already queued finish, refuses new ones, and stops watching. */
  async close(): Promise<void> {
    this.closing = true;
    await this.queue.close(new TaskmasterError(ErrorCode.ConnectionFailed, 'the sync server is shutting down; nothing was written'));
    await this.watcher?.close();
    this.watcher = undefined;
    await this.tagWatch?.close();
    this.tagWatch = undefined;
    await this.standing.settled();
  }

  private async startWatching(): Promise<void> {
    this.watcher = watchTasks(
      this.store.paths.tasksFile,
      (change) => {
        if (change.hash === this.doc.hash || change.hash === this.fileHash || this.closing) return;
        // A version a commit of ours already read (and built on) before this report came round.
        if (change.previousHash !== this.doc.hash && this.recent.has(change.hash)) return;
        // What the watcher read is handed to the store, so the version is parsed once.
        this.store.learn(change);
        this.reported.push({ data: change.data, hash: change.hash, diffed: { from: change.previousHash, changes: change.changes }, broken: change.brokenTags, seenAt: performance.now() });
        if (this.adoptionQueued) return;
        this.adoptionQueued = true;
        this.adoptReportedVersions().catch((err: unknown) => {
          this.options.log('warn', 'could not adopt an outside change to the tasks file', { error: errorName(err) });
        });
      },
      {
        debounceMs: this.options.debounceMs,
        // Watching starts before any commit, so the hash and size are the file's as read at start.
        initial: { data: this.doc.data, hash: this.doc.hash ?? '', bytes: this.bytesAtStart },
        onProblem: (p) => {
          if (p.missing) {
            this.missing = true;
            this.problem = { kind: 'missing', message: p.message };
            this.options.log('warn', 'the tasks file is missing; keeping the last good version and refusing writes until it is back');
            this.publish([this.logged({ event: 'file.missing', payload: { path: this.filePath, message: p.message } })]);
            return;
          }
          this.options.log('warn', 'the tasks file is not valid; keeping the last good version', { code: p.code });
          this.problem = { kind: 'invalid', message: p.message };
          const payload: Omit<EventPayload<'file.invalid'>, 'revision'> = { path: this.filePath, message: p.message };
          if (p.line !== undefined) payload.line = p.line;
          if (p.column !== undefined) payload.column = p.column;
          this.publish([this.logged({ event: 'file.invalid', payload })]);
        },
        // Put back as it was: nothing changed, but clients that showed the problem learn it is over.
        onRecovered: () => {
          this.missing = false;
          this.publish([this.fileChanged('external', this.fileHash)]);
        },
      },
    );
    await this.watcher.ready;
    this.tagWatch = watchCurrentTag(
      this.store.paths.stateFile,
      await this.store.currentTag(),
      () => this.store.currentTag(),
      (current, previous) => this.publish([this.logged({ event: 'tag.current.changed', payload: { current, previous } })]),
      (err) => this.options.log('warn', 'could not follow the current tag in state.json', { error: errorName(err) }),
    );
    await this.tagWatch.ready;
  }

  /**
   * A commit's first stage: the ops are drafted on the version clients hold
   * and, once validated, announced at once — without the lock or the disk,
   * which {@link persistAnnounced} deals with for every op announced
   * meanwhile. Ops that arrived together share one draft, as a commit's ops
   * always did (validation and the diff cost the size of a tag, not of an
   * op); should the shared result not validate, each op is drafted alone, so
   * only the bad one fails.
   */
  private announceOps(batch: readonly QueuedOp[]): OpOutcome[] {
    // One stat, only while the file is known to be missing: it may be back without any change to report.
    if (this.missing && existsSync(this.store.paths.tasksFile)) this.missing = false;
    if (this.missing) return batch.map(() => ({ ok: false, error: missingTasksFileError() }));
    if (batch.length > 1) {
      try {
        const drafted = this.store.draft(this.doc.data, (draft) => batch.map((op) => outcomeOf(() => op.apply(draft))));
        if (drafted.changed) this.publish(this.announced(drafted.data, this.toldOf(drafted)));
        return drafted.value;
      } catch {
        // The shared result did not validate: each op on its own below.
      }
    }
    return batch.map((op) =>
      outcomeOf(() => {
        const drafted = this.store.draft(this.doc.data, op.apply);
        if (drafted.changed) this.publish(this.announced(drafted.data, this.toldOf(drafted)));
        return drafted.value;
      }),
    );
  }

  /** A draft's events: its own diff, unless a tag was broken, which it may have mended or deleted (see {@link changesTo}). */
  private toldOf(drafted: { data: TasksFile; changes: TaskChange[] }): TaskChange[] {
    if (this.heldBroken.size === 0) return drafted.changes;
    return this.changesTo(drafted.data, this.store.brokenTags(drafted.data).map((p) => p.tag));
  }

  /**
   * A commit's second stage, step by step: staged (the bytes of what clients
   * hold written and synced beside the file, without the lock) → placed (the
   * lock taken just to prove the file still holds our last version and to
   * rename) → durable (the folder synced) → `file.changed`. A stale file
   * (another writer got there first) throws StaleVersionError before
   * anything is replaced; the queue adopts that version and writes again.
   */
  private async persistAnnounced(ops: readonly string[]): Promise<{ revision: number; pauseMs: number }> {
    if (this.announcedLost) {
      this.announcedLost = false;
      throw new TaskmasterError(ErrorCode.SyncConflict, 'another program put an older tasks.json back while this change was being written; it was not written, try again', { reason: 'replaced' });
    }
    const data = this.doc.data;
    if (this.doc.hash !== undefined) return { revision: this.revision, pauseMs: 0 };
    const started = performance.now();
    const included = this.unrecorded.length;
    const staged = await this.store.stage(data, { base: this.fileHash, reason: summarise(ops), actor: 'server', changes: this.unrecorded.slice(0, included) });
    if (!staged) {
      // Fields set back to the values the file has: the same bytes, nothing to write (no event is due).
      if (this.doc.data === data) this.doc = { data, hash: this.fileHash };
      this.unrecorded.splice(0, included);
      return { revision: this.revision, pauseMs: 0 };
    }
    // Values JSON changes (a Date…): clients get what the file will hold.
    if (staged.data !== data && this.doc.data === data) this.publish(this.announced(staged.data, diffTasksFiles(data, staged.data)));
    // Before the rename, so our own write never comes back from the watcher as an outside edit.
    this.watcher?.noteOwnWrite(staged.hash, staged.data, staged.bytes, staged.identity);
    const placed = await staged.place();
    this.publish([this.fileHolds(staged.data, staged.hash, 'server', { included })]);
    this.options.log('info', 'commit', { ops: ops.length, ms: Math.round(performance.now() - started), revision: this.revision });
    return { revision: this.revision, pauseMs: this.lockShare.pauseAfter(...placed.lockHeld) };
  }

  /**
   * After a failed write that clients were told of: back to the version the file last held as far as we
   * know (durable, acknowledged updates in it), as task events (no `file.changed`: it did not change).
   * Another writer's version there since (the write failed for losing to it, say) is then adopted as any
   * outside write is: merged with ours when made from a stale read. Taken as it is, it could drop
   * acknowledged updates it never saw.
   */
  private async tellWhatTheFileHolds(): Promise<void> {
    const known = this.recent.list().find((v) => v.hash === this.fileHash);
    const read = await this.readFile().catch(() => undefined);
    // That version no longer among the recent ones: what the file holds, as it is (and unreadable, nothing).
    const back = known ?? read;
    if (!back) return;
    this.publish(this.announced(back.data, this.changesTo(back.data, this.store.brokenTags(back.data).map((p) => p.tag))));
    this.doc = { data: back.data, hash: back.hash };
    this.fileHash = back.hash;
    this.unrecorded = [];
    if (read && read.hash !== back.hash) await this.adoptOutsideWrite(read);
  }
}

/** A version written by someone else, the watcher's diff to it when it has one, and its broken tags, which send no events. */
interface OutsideVersion {
  data: TasksFile;
  hash: string;
  diffed?: { from: string | undefined; changes: TaskChange[] };
  broken: readonly TagProblem[];
}

/** Runs one op, catching what it throws: a failing op fails only its own request. */
function outcomeOf(run: () => unknown): OpOutcome {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** An event the change log keeps, before it has its revision (see SyncEngine.logged); `task.patched` is made from a logged `task.updated`. */
type Unlogged = { [E in Exclude<LoggedEventName, 'task.patched'>]: { event: E; payload: Omit<EventPayload<E>, 'revision'> } }[Exclude<LoggedEventName, 'task.patched'>];

/** Stands for "no file holds this version" where a hash is expected; no sha256 looks like it. */
const UNWRITTEN = 'unwritten';

/** A pause in commits this long lets the history compress the snapshots of the stream before it. */
const HISTORY_QUIET_MS = 500;

/**
 * Makes the file's contents `merged`, key by key, so immer keeps the objects
 * `merged` shares with the draft's version; in `merged`'s order (tags a
 * team pull puts in the team's order included).
 */
function replaceContents(draft: TasksFile, merged: TasksFile): void {
  const target = draft as Record<string, unknown>;
  const source = merged as Record<string, unknown>;
  for (const key of Object.keys(target)) if (!Object.prototype.hasOwnProperty.call(source, key)) delete target[key];
  const order = Object.keys(source);
  const kept = Object.keys(target);
  // From the first key out of place on, the keys kept go and come back in order (an object keeps the order keys came in).
  const firstOutOfPlace = kept.findIndex((key, i) => key !== order[i]);
  if (firstOutOfPlace >= 0) for (const key of kept.slice(firstOutOfPlace)) delete target[key];
  for (const key of order) if (target[key] !== source[key]) target[key] = source[key];
}

function summarise(ops: readonly string[]): string {
  const first = ops[0] ?? 'commit';
  return ops.every((o) => o === first) ? (ops.length === 1 ? first : `${first} x${ops.length}`) : `batch x${ops.length}`;
}

function errorName(err: unknown): string {
  return err instanceof TaskmasterError ? `${err.code}` : err instanceof Error ? err.name : 'unknown';
}
