import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  diffTasksFiles,
  setOwnKey,
  findTag,
  findTask,
  jsonEqual,
  rebaseTasksFile,
  WHOLE_ITEM,
  type FieldConflict,
  type TaskChange,
  type TasksFile,
  type TeamConfig,
  type TeamOp,
  type TeamStatus,
} from '@taskmaster/protocol';
import { brokenTagsIn, keepBrokenTags, LocalBrokenTags, onlyTag, sharedView, type TagVersions, type FixedTag } from './broken-tags.js';
import { TeamCodec } from './codec.js';
import { FieldWriters } from './field-writers.js';
import { Journal } from './journal.js';
import { openTeamProject, TeamAccessError, type OpenedProject } from './team-project.js';
import { IdRenames } from './id-renames.js';
import { applyTeamOps, dependencyFixesOf, isTaskOp, renumberingsOf, teamOpsOf, withTagOrderOf } from './team-ops.js';

/** A version of the file the team's changes turn into, and the fields where one side's value overrode the other's. */
export interface RemoteMerge {
  merged: TasksFile;
  /** `ours`: the value overridden; `theirs`: the value kept. */
  conflicts: FieldConflict[];
}

/** What team sync needs from the local sync server. */
export interface TeamHost {
  /** The version clients hold now (frozen: never changed). */
  current(): TasksFile;
  /**
   * Runs `plan` on the current version in line with the server's commits and
   * writes what it returns (nothing when undefined), announcing its
   * conflicts; the written version is reported back through
   * {@link TeamReplica.noteVersion} with origin `team`. `plan` may run again
   * if an outside write is adopted first.
   */
  applyRemote(plan: (current: TasksFile) => RemoteMerge | undefined): Promise<void>;
}

/**
 * A version the file now holds, as the server reports it to
 * {@link TeamReplica.noteVersion}, with its `changes` since the last one and
 * how it reached the file: a commit of the server's, a version written whole
 * (an outside writer's, a restore), or the team's changes written by
 * {@link TeamHost.applyRemote}. Only a version written whole can break or
 * fix a tag, so it names its broken tags, as the server's reader found them.
 */
export type NotedVersion =
  | { origin: 'commit'; data: TasksFile; changes: readonly TaskChange[] }
  | { origin: 'team'; data: TasksFile; changes: readonly TaskChange[] }
  | { origin: 'whole'; data: TasksFile; changes: readonly TaskChange[]; brokenTags: readonly string[] };

/** Logs without secrets: messages and data hold no URL, passphrase or task text. */
export type TeamLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

/** Options of {@link TeamReplica.start}. */
export interface TeamReplicaOptions {
  /** The project's `.taskmaster` folder; the journal goes in its `team/`. */
  taskmasterDir: string;
  config: TeamConfig;
  /** The team passphrase (read from `config.passphraseFile` by the caller), or undefined for no encryption. */
  passphrase: string | undefined;
  host: TeamHost;
  log?: TeamLog;
  /** A snapshot is stored after this many changes (default 500). */
  snapshotEvery?: number;
  /** How often to look at the log without a wake-up (ms, default 1000): NOTIFY is lost while nobody listens. */
  pollMs?: number;
}

/** A pull on its way into the local file: the log up to `upTo`, our own entries among it, and the outbox entries it rewrote (renumbered, or with dependency drops added). */
interface ApplyingPull {
  upTo: number;
  /** The team's file with the pulled changes: `shared` once the local file holds them. */
  next: TasksFile;
  ownIds: string[];
  rewritten: Array<{ id: string; ops: TeamOp[] }>;
}

const PULL_BATCH = 500;
const PUSH_BATCH = 200;
const EMPTY: TasksFile = {} as TasksFile;

/**
 * One sync server's membership of a team project: records each local
 * version's task changes in the durable outbox, pushes them to the team log,
 * pulls the log's changes in sequence order and has the server apply them,
 * reconnecting whenever the database goes away.
 *
 * The local file is always `shared ⊕ outbox`: `shared` is the team's file
 * at `lastSeen` (every log change up to it applied in order), the outbox is
 * the local changes the log does not hold yet — which will come later in the
 * order, so they win fields they share with changes pulled meanwhile.
 */
export class TeamReplica {
  private project: OpenedProject | undefined;
  private shared: TasksFile | undefined;
  /** Who wrote what in `shared`, since it was loaded: whether a pull's override is this member's to be told. */
  private readonly writers = new FieldWriters();
  private lastLocal: TasksFile;
  private head = 0;
  private lastSnapshot = 0;
  private error: string | undefined;
  private fatal = false;
  private closed = false;
  private pumping = false;
  private again = false;
  private reconciled = false;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  /** A pull being written locally: the hook records it as seen as soon as the file holds it. */
  private applying: ApplyingPull | undefined;
  private readonly brokenTags: LocalBrokenTags;
  /** Tags fixed here, each with the version that fixed it (that tag alone): the team's changes to them are merged in on the next pump. */
  private fixedIn: TagVersions;
  private readonly log: TeamLog;

  private constructor(
    private readonly options: TeamReplicaOptions,
    private readonly journal: Journal,
  ) {
    this.log = options.log ?? (() => {});
    this.lastLocal = options.host.current();
    this.brokenTags = new LocalBrokenTags(this.lastLocal, journal.state.tagRepairs.lastGood);
    this.fixedIn = journal.state.tagRepairs.fixedIn;
    this.noteFixedTags(this.brokenTags.fixedAtStart, this.lastLocal, []);
  }

  /** Opens the journal and starts connecting in the background; local changes are recorded from now on. */
  static async start(options: TeamReplicaOptions): Promise<TeamReplica> {
    const journal = await Journal.open(path.join(options.taskmasterDir, 'team'));
    const replica = new TeamReplica(options, journal);
    replica.pollTimer = setInterval(() => replica.kick(), options.pollMs ?? 1000);
    replica.pollTimer.unref();
    replica.kick();
    return replica;
  }

  /**
   * The server's hook: the file now holds `data`, `changes` since the last
   * version. Local versions (ours, outside writers') go to the outbox,
   * durably, before this returns; versions written from the log do not.
   */
  noteVersion(version: NotedVersion): void {
    const { data, changes } = version;
    const before = this.lastLocal;
    this.lastLocal = data;
    if (version.origin === 'team') {
      this.brokenTags.noteCommit(data);
      this.rememberTagRepairs();
      if (this.applying) {
        this.journal.recordSeen(this.applying.upTo, this.applying.ownIds, this.applying.rewritten);
        // The team's file at last_seen, at once: an outside write adopted before the pull returns asks holds() of it.
        this.shared = this.applying.next;
      }
      this.applying = undefined;
      return;
    }
    let ops: TeamOp[];
    if (version.origin === 'commit') {
      this.brokenTags.noteCommit(data);
      ops = teamOpsOf(before, data, changes);
    } else {
      // A version written whole may break a tag: nothing of a broken tag travels (another member could not read it).
      // A tag it fixes sends what changed in it since it was last good: the server's changes start from its broken state.
      const fixed = this.brokenTags.noteWhole(before, data, version.brokenTags);
      const fixedNames = new Set(fixed.map((f) => f.tag));
      // Tags added or deleted as the team may see them: a tag added broken is not added.
      ops = teamOpsOf(before, this.teamView(data, before), changes.filter((c) => !fixedNames.has(c.payload.tag) && !this.brokenTags.isBroken(c.payload.tag)));
      this.noteFixedTags(fixed, data, ops);
      return;
    }
    this.rememberTagRepairs();
    if (ops.length > 0) this.journal.recordLocal(randomUUID(), ops);
    if (ops.length > 0) this.kick();
  }

  /**
   * Records `ops` with what the tags `fixed` in `data` changed since they
   * were last good, and queues the team's changes to them to be merged in.
   * The journal notes the tags fixed before their ops: a server killed in
   * between restarts with the merge still to make and the fix for its
   * reconcile to find, never with a fix recorded twice.
   */
  private noteFixedTags(fixed: readonly FixedTag[], data: TasksFile, ops: TeamOp[]): void {
    for (const { tag, lastGood } of fixed) ops.push(...teamOpsOf(onlyTag(lastGood, tag), onlyTag(data, tag), diffTasksFiles(onlyTag(lastGood, tag), onlyTag(data, tag))));
    if (fixed.length > 0) this.fixedIn = new Map([...this.fixedIn, ...fixed.map(({ tag }) => [tag, onlyTag(data, tag)] as const)]);
    this.rememberTagRepairs();
    if (ops.length > 0) this.journal.recordLocal(randomUUID(), ops);
    if (ops.length > 0 || this.fixedIn.size > 0) this.kick();
  }

  /** Journals the broken tags' last good versions and the fixes still to merge, when either changed. */
  private rememberTagRepairs(): void {
    this.journal.recordTagRepairs({ lastGood: this.brokenTags.remembered, fixedIn: this.fixedIn });
  }

  /** Team state for `sync.status`. */
  status(): TeamStatus {
    let unpushed = 0;
    let oldest: number | undefined;
    for (const e of this.journal.state.outbox.values()) {
      if (e.seq !== undefined) continue;
      unpushed++;
      oldest ??= e.at;
    }
    const status: TeamStatus = {
      project: this.options.config.project,
      connected: this.project !== undefined && this.error === undefined,
      encrypted: this.options.passphrase !== undefined,
      lastSeq: this.journal.state.lastSeen,
      headSeq: Math.max(this.head, this.journal.state.lastSeen),
      outbox: unpushed,
      lagMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest),
    };
    if (this.error !== undefined) status.error = this.error;
    return status;
  }

  /**
   * Whether the team's log holds an item under `fullId` (`"7"`, `"7.1"`) in
   * `tag`: in the team's file as the local file last took it, or created
   * by an entry of ours pushed since. Every member knows that item by that
   * id, so an outside writer's new item under it gives way to it (the server's
   * merge renumbers the writer's instead): renumbered, the team's item would
   * change ids on every member, and their later changes to it would land on
   * the writer's.
   */
  holds(tag: string, fullId: string): boolean {
    const tagData = this.shared && findTag(this.shared, tag);
    if (tagData && findTask(tagData, fullId)) return true;
    for (const e of this.journal.state.outbox.values()) {
      if (e.seq === undefined) continue;
      for (const op of e.ops) if (isTaskOp(op) && op.change.event === 'task.created' && op.change.payload.tag === tag && op.change.payload.id === fullId) return true;
    }
    return false;
  }

  /** Stops pushing and pulling; the outbox stays for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    while (this.pumping) await new Promise((r) => setTimeout(r, 10));
    await this.disconnect();
    this.journal.close();
  }

  /** `local`, the local file as last noted or made from it, as the team may see it (see {@link sharedView}). */
  private teamView(local: TasksFile, known: TasksFile): TasksFile {
    return sharedView(local, known, this.brokenTags.in(local));
  }

  /** `merged` with the local file's broken tags as `current` has them (see {@link keepBrokenTags}). */
  private keepingBrokenTags(merged: TasksFile, current: TasksFile): TasksFile {
    return keepBrokenTags(merged, current, this.brokenTags.in(current));
  }

  /** Pushes and pulls now (after a local change, a wake-up or the poll). */
  private kick(): void {
    if (this.closed || this.fatal) return;
    if (!this.project) {
      this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
      return;
    }
    void this.pump();
  }

  private async connect(): Promise<void> {
    try {
      const { config, passphrase } = this.options;
      this.project = await openTeamProject(config, passphrase, { createWith: () => this.teamView(this.options.host.current(), EMPTY), onIdleError: (err) => this.lose(err) });
      const { db, row, codec } = this.project;
      if (this.project.created) {
        // A new project: its first snapshot is our file, so nothing recorded so far needs pushing.
        this.journal.joined(config.project, 0);
        this.shared = structuredClone(this.teamView(this.options.host.current(), EMPTY));
        // Its first snapshot holds our fixed tags as they are: nothing of the team's to merge into them.
        this.fixedIn = new Map();
        this.assumeLastGood(this.shared);
        this.reconciled = true;
      } else if (this.journal.state.project !== config.project) {
        await this.join();
      } else {
        const loaded = await loadTeamFile(db, row.id, codec, this.journal.state.lastSeen);
        this.shared = loaded.data;
        this.lastSnapshot = loaded.snapshotSeq;
      }
      this.stopListening = await db.listen(
        row.id,
        (seq) => {
          this.head = Math.max(this.head, seq);
          void this.pump();
        },
        (err) => this.lose(err),
      );
      this.error = undefined;
      this.log('info', 'team sync connected', { project: config.project, lastSeq: this.journal.state.lastSeen, encrypted: codec.encrypted });
      void this.pump();
    } catch (err) {
      await this.disconnect();
      this.error = describe(err);
      if (err instanceof TeamAccessError) {
        // A wrong passphrase or URL does not fix itself: say so once and stop.
        this.fatal = true;
        this.log('error', 'team sync stopped', { reason: this.error });
        return;
      }
      this.log('warn', 'team database unreachable; local changes wait in the outbox', { reason: this.error });
      this.retryLater();
    }
  }

  /**
   * First join of an existing project: the team's file (last snapshot and the
   * changes after it) is merged with ours — theirs keeps its ids, tasks only
   * we have are kept (renumbered if their id is taken) — and what ours adds is
   * pushed as one change.
   */
  private async join(): Promise<void> {
    const { db, row, codec } = this.project!;
    const remote = await loadTeamFile(db, row.id, codec, Number.MAX_SAFE_INTEGER);
    let written: TasksFile | undefined;
    await this.options.host.applyRemote((current) => {
      written = this.keepingBrokenTags(rebaseTasksFile(EMPTY, this.teamView(current, EMPTY), structuredClone(remote.data)).merged, current);
      return { merged: written, conflicts: [] };
    });
    const merged = written ?? this.options.host.current();
    this.journal.joined(this.options.config.project, remote.seq);
    // Merging another project's version of a tag fixed here could drop what only we have: the join merged ours into it.
    this.fixedIn = new Map();
    this.rememberTagRepairs();
    this.shared = remote.data;
    this.lastSnapshot = remote.snapshotSeq;
    this.head = remote.seq;
    const view = this.teamView(merged, remote.data);
    const ops = teamOpsOf(remote.data, view, diffTasksFiles(remote.data, view));
    if (ops.length > 0) this.journal.recordLocal(randomUUID(), ops);
    this.reconciled = true;
    this.log('info', 'joined a team project', { project: this.options.config.project, seq: remote.seq, pushed: ops.length });
  }

  /** Pulls and pushes until neither has anything left; one at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        if (!this.project || this.closed) break;
        // Fixed tags first: the reconcile would take a fixed tag's lack of the team's changes for a local edit.
        if (this.fixedIn.size > 0) await this.mergeIntoFixedTags();
        if (!this.reconciled) await this.reconcile();
        const pulled = await this.pullOnce();
        const pushed = await this.pushOnce();
        if (pulled || pushed) this.again = true;
      } while (this.again && !this.closed);
    } catch (err) {
      this.lose(err);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Once per start: changes the file got while no server recorded them (Task
   * Master run while the sync server was stopped) are what the file holds
   * beyond `shared ⊕ outbox`; they go to the outbox like any local change,
   * before the first pull. They were made from the team's file at last_seen,
   * as changes made while PostgreSQL was away are, and the pull reads them
   * over the rows it brings the same way: a task they added under an id a row
   * took meanwhile gets the next free one, and a delete carries the task as
   * it was deleted. (Recorded after the pull, they were merged as an outside
   * write: the team's task lost its id to theirs, and a delete seemed to have
   * seen the changes it dropped.)
   */
  private async reconcile(): Promise<void> {
    // A tag that broke while no server ran was last good as the file was when one last ran: the team's
    // file at last_seen with the outbox. Not after a pull: its changes never reached the tag, and
    // taken for its last good version, the fix would send their reversal.
    this.assumeLastGood(this.expectedLocal());
    await this.options.host.applyRemote((current) => {
      const expected = this.expectedLocal();
      const view = this.teamView(current, expected);
      const ops = teamOpsOf(expected, view, diffTasksFiles(expected, view));
      if (ops.length > 0) {
        this.journal.recordLocal(randomUUID(), ops);
        this.log('info', 'recorded changes made while team sync was not running', { ops: ops.length });
      }
      return undefined;
    });
    await this.pullOnce();
    this.reconciled = true;
  }

  /** What the local file holds as far as team sync knows: the team's file at last_seen with the outbox on top (a copy). */
  private expectedLocal(): TasksFile {
    const expected = structuredClone(this.shared!);
    for (const e of this.journal.state.outbox.values()) applyTeamOps(expected, e.ops);
    return expected;
  }

  /**
   * Tags fixed locally get the team's changes made while they were broken:
   * the team's version of each (the shared file and the outbox, which holds
   * the fix) three-way merged into what the file holds now, from the version
   * that fixed it, as a pull merges. Tags broken again or deleted since are left.
   */
  private async mergeIntoFixedTags(): Promise<void> {
    // Failing, it is tried again once connected again; the journal keeps it meanwhile.
    const fixed = this.fixedIn;
    await this.options.host.applyRemote((current) => this.mergedFixedTags(current, fixed));
    // A tag fixed again meanwhile is merged next time.
    this.fixedIn = new Map([...this.fixedIn].filter(([tag, version]) => fixed.get(tag) !== version));
    this.rememberTagRepairs();
  }

  /** Broken tags whose break was not seen were last good as the team has them: see {@link LocalBrokenTags.assumeLastGood}. */
  private assumeLastGood(shared: TasksFile): void {
    this.brokenTags.assumeLastGood(shared);
    this.rememberTagRepairs();
  }

  /** The plan of {@link mergeIntoFixedTags}: `current` with each fixed tag merged, or undefined when none is left to merge. */
  private mergedFixedTags(current: TasksFile, fixed: TagVersions): RemoteMerge | undefined {
    if (!this.shared) throw new Error('team sync lost its connection');
    const expected = this.expectedLocal();
    let merged: Record<string, unknown> | undefined;
    const conflicts: FieldConflict[] = [];
    for (const [tag, fixedIn] of fixed) {
      const has = (file: TasksFile) => Object.prototype.hasOwnProperty.call(file, tag);
      if (!has(current) || !has(expected) || !has(fixedIn) || this.brokenTags.isBroken(tag)) continue;
      const rebased = rebaseTasksFile(onlyTag(fixedIn, tag), onlyTag(expected, tag), onlyTag(current, tag));
      merged ??= { ...(current as Record<string, unknown>) };
      setOwnKey(merged, tag, (rebased.merged as Record<string, unknown>)[tag]);
      conflicts.push(...rebased.conflicts);
    }
    if (!merged) return undefined;
    this.log('info', 'merged the team\'s changes into tags fixed here', { tags: fixed.size });
    return { merged: merged as TasksFile, conflicts };
  }

  private async pushOnce(): Promise<boolean> {
    const { db, row, codec } = this.project!;
    const batch: Array<{ id: string; ops: TeamOp[] }> = [];
    for (const e of this.journal.state.outbox.values()) {
      if (e.seq === undefined) batch.push(e);
      if (batch.length >= PUSH_BATCH) break;
    }
    if (batch.length === 0) return false;
    // The log as these entries were made against (renumbered by the pulls since): what we have seen and
    // our own entries pushed after it. Another member's row since then must be pulled first.
    let knownHead = this.journal.state.lastSeen;
    for (const e of this.journal.state.outbox.values()) if (e.seq !== undefined) knownHead = Math.max(knownHead, e.seq);
    const pushed = await db.append(
      row.id,
      batch.map((e) => ({ id: e.id, payload: codec.encodeChange(e.id, e.ops) })),
      knownHead,
    );
    // Behind: the next turn of the pump pulls, then pushes again.
    if (!pushed) return true;
    this.journal.recordPushed(pushed);
    for (const p of pushed) this.head = Math.max(this.head, p.seq);
    return true;
  }

  /** Applies the next changes of the log to the local file; false when there were none. */
  private async pullOnce(): Promise<boolean> {
    const { db, row, codec } = this.project!;
    const from = this.journal.state.lastSeen;
    const rows = await db.changesAfter(row.id, from, PULL_BATCH);
    if (rows.length === 0) return false;
    const outbox = this.journal.state.outbox;
    const ownIds = rows.filter((r) => outbox.has(r.change_id)).map((r) => r.change_id);
    const own = new Set(ownIds);
    // `shared` itself moves on: if the local write fails, the connection is dropped and `shared` reloaded.
    const before = this.shared!;
    const next = structuredClone(before);
    const overridden: FieldConflict[] = [];
    const decoded = rows.map((r) => ({ id: r.change_id, ops: codec.decodeChange(r.change_id, r.payload) }));
    for (const r of decoded) {
      const here = own.has(r.id);
      const found: FieldConflict[] = [];
      const applied = applyTeamOps(next, r.ops, here ? undefined : found);
      // Only what this member wrote is its to be told about: when two others raced, it changed nothing.
      for (const c of found) if (this.writers.overridesOurs(c, applied)) overridden.push(c);
      this.writers.note(applied, here);
    }
    // Tasks other members renumbered (Task Master's move --from=5 --to=7): our entries not pushed yet name them by their old ids.
    const renumbered = decoded.filter((r) => !own.has(r.id)).flatMap((r) => renumberingsOf(r.ops));
    const upTo = rows[rows.length - 1]!.seq;
    const applying: ApplyingPull = { upTo, next, ownIds, rewritten: [] };
    this.applying = applying;
    await this.options.host.applyRemote((current) => {
      const pending = [...outbox.values()];
      const expectedBefore = pending.length === 0 ? before : structuredClone(before);
      if (pending.length > 0) for (const e of pending) applyTeamOps(expectedBefore, e.ops);
      // Our changes the log does not hold yet come later in its order: they win the fields they share, and
      // a delete or an update against the other's. Nothing is told here: what they override is another
      // member's change, and that member is told as it reads ours over what it holds.
      const expectedAfter = structuredClone(next);
      // Those not pushed were made before these rows were seen: a task they created under an id a row
      // took meanwhile gets the next free one, for every entry after it too (one renaming for all),
      // and they go to the log so renumbered (pushes wait until every row before them is seen).
      const renames = new IdRenames();
      for (const r of renumbered) renames.follow(r.tag, r.from, r.to);
      // The plan may run again (after an outside write is adopted): the last run's renumbering is the one written.
      applying.rewritten = [];
      let lastUnpushed: { id: string; ops: TeamOp[] } | undefined;
      const unpushedOps: TeamOp[] = [];
      for (const e of pending) {
        if (own.has(e.id)) continue;
        if (e.seq !== undefined) {
          // Pushed, later in the log than these rows: made against every row before it.
          applyTeamOps(expectedAfter, e.ops);
          continue;
        }
        lastUnpushed = { id: e.id, ops: applyTeamOps(expectedAfter, e.ops, undefined, renames) };
        unpushedOps.push(...lastUnpushed.ops);
        if (lastUnpushed.ops.some((op, i) => op !== e.ops[i])) applying.rewritten.push(lastUnpushed);
      }
      // A dependency one side added on a task the other deleted or renumbered names nothing now: the last
      // entry to push drops it or makes it follow, so every member mends it alike (only entries not pushed
      // yet may change).
      const fixes = lastUnpushed ? dependencyFixesOf(expectedAfter, [expectedBefore, next], [...renumbered, ...renumberingsOf(unpushedOps)]) : [];
      if (lastUnpushed && fixes.length > 0) {
        applyTeamOps(expectedAfter, fixes);
        if (!applying.rewritten.includes(lastUnpushed)) applying.rewritten.push(lastUnpushed);
        lastUnpushed.ops.push(...fixes);
      }
      // The same three-way merge as for outside writes; `current` differs from expectedBefore only by
      // changes not yet recorded, which it keeps.
      const rebased = rebaseTasksFile(expectedBefore, expectedAfter, this.teamView(current, expectedBefore));
      const merged = withTagOrderOf(this.keepingBrokenTags(rebased.merged, current), current, expectedAfter);
      return { merged, conflicts: stillOverridden(merged, [...overridden, ...rebased.conflicts]) };
    });
    // The file may not have changed (nothing new for us), so the hook did not record it.
    if (this.applying) this.journal.recordSeen(upTo, ownIds, applying.rewritten);
    this.applying = undefined;
    this.shared = next;
    this.head = Math.max(this.head, upTo);
    await this.snapshotIfDue();
    await this.journal.compactIfLarge();
    return true;
  }

  private async snapshotIfDue(): Promise<void> {
    const seq = this.journal.state.lastSeen;
    if (seq - this.lastSnapshot < (this.options.snapshotEvery ?? 500)) return;
    const { db, row, codec } = this.project!;
    await db.putSnapshot(row.id, seq, codec.encodeSnapshot(seq, this.shared!));
    this.lastSnapshot = seq;
  }

  /** The database went away: drop everything of it and try again later. */
  private lose(err: unknown): void {
    if (this.closed) return;
    this.error = describe(err);
    this.log('warn', 'team database connection lost; local changes wait in the outbox', { reason: this.error });
    void this.disconnect().then(() => this.retryLater());
  }

  private retryLater(): void {
    if (this.closed || this.fatal) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), 500);
    this.retryTimer.unref();
  }

  private async disconnect(): Promise<void> {
    const project = this.project;
    const stop = this.stopListening;
    this.project = undefined;
    this.stopListening = undefined;
    this.shared = undefined;
    this.writers.clear();
    this.applying = undefined;
    await stop?.();
    await project?.db.close();
  }
}

/** The team's file at `atMost` (or the newest): the last snapshot before it and the changes after that. */
async function loadTeamFile(
  db: OpenedProject['db'],
  projectId: number,
  codec: TeamCodec,
  atMost: number,
): Promise<{ data: TasksFile; seq: number; snapshotSeq: number }> {
  const snapshot = await db.snapshotAtMost(projectId, atMost);
  if (!snapshot) throw new Error('the team project has no snapshot to start from');
  // A broken tag a server stored before broken tags stayed local: left out, like one of ours.
  const decoded = codec.decodeSnapshot(snapshot.seq, snapshot.payload);
  const data = sharedView(decoded, EMPTY, brokenTagsIn(decoded));
  let seq = snapshot.seq;
  for (;;) {
    const rows = await db.changesAfter(projectId, seq, PULL_BATCH);
    const wanted = rows.filter((r) => r.seq <= atMost);
    for (const r of wanted) applyTeamOps(data, codec.decodeChange(r.change_id, r.payload));
    if (wanted.length > 0) seq = wanted[wanted.length - 1]!.seq;
    if (wanted.length < PULL_BATCH) return { data, seq, snapshotSeq: snapshot.seq };
  }
}

/** The conflicts whose kept value is the one `merged` ends up with (a later change may have overridden it in turn). */
function stillOverridden(merged: TasksFile, conflicts: FieldConflict[]): FieldConflict[] {
  const seen = new Set<string>();
  return conflicts.filter((c) => {
    const key = JSON.stringify([c.tag, c.id, c.field]);
    if (seen.has(key)) return false;
    const tag = findTag(merged, c.tag);
    const item = tag ? (findTask(tag, c.id)?.task as Record<string, unknown> | undefined) : undefined;
    // `*`: a delete kept (the item still gone) or an item brought back (still there).
    if (c.field === WHOLE_ITEM ? (item !== undefined) !== (c.theirs !== undefined) : !jsonEqual(item?.[c.field], c.theirs)) return false;
    seen.add(key);
    return true;
  });
}

/** An error in words, without the URL or anything else secret. */
function describe(err: unknown): string {
  if (err instanceof TeamAccessError) return err.message;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return `database error ${code}`;
  return err instanceof Error ? err.name : 'unknown error';
}
