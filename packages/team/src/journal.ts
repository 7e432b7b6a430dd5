import { closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setOwnKey, TagDataSchema, TeamOpSchema, type TasksFile, type TeamOp } from '@taskmaster/protocol';
import { encodeWhole, ensureRealDirectory, PendingWrite } from '@taskmaster/store';
import type { TagVersions } from './broken-tags.js';
import { validated } from './codec.js';

/** A local version's operations, waiting to be in the team log and then to be seen back from it. */
export interface OutboxEntry {
  /** Unique: a retried push of the same entry is recognised and not applied twice. */
  readonly id: string;
  readonly ops: TeamOp[];
  /** When it was recorded (ms since the epoch), for the lag in status. */
  readonly at: number;
  /** Its sequence number, once the log holds it. */
  seq?: number;
}

/** What the journal says after replaying it. */
export interface JournalState {
  /** The team project it belongs to, once joined; a journal of another project is started afresh. */
  project: string | undefined;
  /** The last sequence number applied to the local file. */
  lastSeen: number;
  /** Local changes not yet seen back from the log, oldest first. */
  outbox: Map<string, OutboxEntry>;
  /** The local file's broken tags, and its fixed ones still to get the team's changes (see {@link TagRepairs}). */
  tagRepairs: TagRepairs;
}

/**
 * What team sync must remember of the local file's broken tags across a
 * restart, kept in one record so that both change at once.
 */
export interface TagRepairs {
  /** The last good version of each broken tag whose break was seen. */
  lastGood: TagVersions;
  /**
   * Each tag fixed here whose fix is recorded but which has not yet been
   * given the team's changes made while it was broken, with the version that
   * fixed it (that tag alone). Those changes reached this machine as pulls
   * the broken tag was kept out of, so they are merged in from the team's file.
   */
  fixedIn: TagVersions;
}

type Record_ =
  | { k: 'joined'; project: string; seen: number }
  | { k: 'local'; id: string; at: number; ops: TeamOp[] }
  | { k: 'pushed'; ids: string[]; seqs: number[] }
  /** `rewritten`: outbox entries whose ops now read as given (their tasks renumbered after ids the log took meanwhile, or dependencies on what it deleted dropped). */
  | { k: 'seen'; seq: number; ids: string[]; rewritten?: Array<{ id: string; ops: TeamOp[] }> }
  /** {@link TagRepairs}: each tag's data, or null for a last good version without the tag (it came broken). */
  | { k: 'broken'; lastGood: Record<string, unknown>; fixedIn?: Record<string, unknown> };

/** Rewritten whole once it grows past this and is mostly settled. */
const COMPACT_BYTES = 1024 * 1024;

/**
 * The durable outbox and `last_seen` of team sync: one append-only file,
 * `.taskmaster/team/journal.jsonl` (mode 0600, never through a symbolic
 * link). Each record is fsynced before the call returns, so a local change
 * acknowledged to a client is in the outbox, and a killed server pushes
 * exactly what it had not: a push it made but did not record is recognised
 * by its id when the server reads the log again.
 */
export class Journal {
  private fd: number;
  private bytes: number;

  private constructor(
    readonly file: string,
    fd: number,
    readonly state: JournalState,
  ) {
    this.fd = fd;
    this.bytes = fstatSync(fd).size;
  }

  /** Opens (creating) the journal under `teamDir` and replays it. */
  static async open(teamDir: string): Promise<Journal> {
    await ensureRealDirectory(teamDir, { create: true });
    const file = path.join(teamDir, 'journal.jsonl');
    const fd = openAppend(file);
    const state: JournalState = { project: undefined, lastSeen: 0, outbox: new Map(), tagRepairs: NO_REPAIRS };
    for (const line of readFileSync(fd, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let record: Record_;
      try {
        record = JSON.parse(line) as Record_;
      } catch {
        // The tail of a record cut short by a crash: it was never acknowledged.
        continue;
      }
      replay(state, record);
    }
    return new Journal(file, fd, state);
  }

  /** This journal now belongs to `project`, at `seen`, with an empty outbox (a join or a rejoin). */
  joined(project: string, seen: number): void {
    this.state.project = project;
    this.state.lastSeen = seen;
    this.state.outbox.clear();
    this.append({ k: 'joined', project, seen });
  }

  /** Records a local version's operations; durable when this returns. */
  recordLocal(id: string, ops: TeamOp[]): OutboxEntry {
    const entry: OutboxEntry = { id, ops, at: Date.now() };
    this.append({ k: 'local', id, at: entry.at, ops });
    this.state.outbox.set(id, entry);
    return entry;
  }

  /** The log holds these entries, at these numbers. */
  recordPushed(pushed: ReadonlyArray<{ id: string; seq: number }>): void {
    if (pushed.length === 0) return;
    this.append({ k: 'pushed', ids: pushed.map((p) => p.id), seqs: pushed.map((p) => p.seq) });
    for (const p of pushed) {
      const entry = this.state.outbox.get(p.id);
      if (entry) entry.seq = p.seq;
    }
  }

  /**
   * The local file holds everything up to `seq`, our own entries `ownIds`
   * among it, and the entries still waiting as `rewritten` has them: one
   * record, so that a restart never finds the file renumbered and the outbox
   * not, or the other way round.
   */
  recordSeen(seq: number, ownIds: readonly string[], rewritten: ReadonlyArray<{ id: string; ops: TeamOp[] }> = []): void {
    if (seq <= this.state.lastSeen && ownIds.length === 0 && rewritten.length === 0) return;
    const record: Record_ = rewritten.length > 0 ? { k: 'seen', seq, ids: [...ownIds], rewritten: [...rewritten] } : { k: 'seen', seq, ids: [...ownIds] };
    this.append(record);
    replay(this.state, record);
  }

  /** The local file's broken and fixed tags are now `repairs` (rare: a tag broken, fixed, merged or deleted). */
  recordTagRepairs(repairs: TagRepairs): void {
    const now = this.state.tagRepairs;
    if (repairs.lastGood === now.lastGood && repairs.fixedIn === now.fixedIn) return;
    this.append(repairsRecord(repairs));
    this.state.tagRepairs = repairs;
  }

  /** Rewrites the file with only what is still needed, when it has grown large. */
  async compactIfLarge(): Promise<void> {
    if (this.bytes < COMPACT_BYTES) return;
    const records: Record_[] = [];
    if (this.state.project !== undefined) records.push({ k: 'joined', project: this.state.project, seen: this.state.lastSeen });
    for (const e of this.state.outbox.values()) {
      records.push({ k: 'local', id: e.id, at: e.at, ops: e.ops });
      if (e.seq !== undefined) records.push({ k: 'pushed', ids: [e.id], seqs: [e.seq] });
    }
    if (this.state.tagRepairs.lastGood.size > 0 || this.state.tagRepairs.fixedIn.size > 0) records.push(repairsRecord(this.state.tagRepairs));
    const pending = await PendingWrite.start(this.file, await encodeWhole(records.map((r) => `${JSON.stringify(r)}\n`)), { mode: 0o600 });
    await pending.commit();
    closeSync(this.fd);
    this.fd = openAppend(this.file);
    this.bytes = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  private append(record: Record_): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    for (let at = 0; at < line.length; ) at += writeSync(this.fd, line, at, line.length - at);
    fsyncSync(this.fd);
    this.bytes += line.length;
  }
}

function openAppend(file: string): number {
  const { O_APPEND, O_CREAT, O_NOFOLLOW, O_RDWR } = constants;
  return openSync(file, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
}

function replay(state: JournalState, record: Record_): void {
  switch (record.k) {
    case 'joined':
      state.project = record.project;
      state.lastSeen = record.seen;
      state.outbox.clear();
      return;
    case 'local': {
      // Validated on the way back in: the file is ours, but a hand edit must not reach the team as garbage.
      const ops = record.ops.map((op) => validated(TeamOpSchema, op));
      state.outbox.set(record.id, { id: record.id, ops, at: record.at });
      return;
    }
    case 'pushed':
      record.ids.forEach((id, i) => {
        const entry = state.outbox.get(id);
        if (entry) entry.seq = record.seqs[i];
      });
      return;
    case 'seen':
      state.lastSeen = Math.max(state.lastSeen, record.seq);
      for (const id of record.ids) state.outbox.delete(id);
      for (const { id, ops } of record.rewritten ?? []) {
        const entry = state.outbox.get(id);
        // Replaced in place: the outbox keeps its order, the order the entries are pushed in.
        if (entry) state.outbox.set(id, { ...entry, ops: ops.map((op) => validated(TeamOpSchema, op)) });
      }
      return;
    case 'broken':
      state.tagRepairs = { lastGood: versionsOf(record.lastGood), fixedIn: versionsOf(record.fixedIn) };
      return;
  }
}

const NO_REPAIRS: TagRepairs = { lastGood: new Map(), fixedIn: new Map() };

function repairsRecord(repairs: TagRepairs): Record_ {
  return { k: 'broken', lastGood: recordOf(repairs.lastGood), fixedIn: recordOf(repairs.fixedIn) };
}

/** Each tag's data in `versions`, or null where its version has no such tag. */
function recordOf(versions: TagVersions): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  for (const [tag, version] of versions) setOwnKey(tags, tag, Object.prototype.hasOwnProperty.call(version, tag) ? (version as Record<string, unknown>)[tag] : null);
  return tags;
}

/** The versions one part of a `broken` record holds (see {@link recordOf}). A tag whose data is not a valid tag (a hand edit) is left out: as if its break, or its fix, was not seen. */
function versionsOf(tags: unknown): TagVersions {
  const versions = new Map<string, TasksFile>();
  if (typeof tags !== 'object' || tags === null) return versions;
  for (const [tag, data] of Object.entries(tags)) {
    const version = {} as TasksFile;
    if (data !== null) {
      if (!TagDataSchema.safeParse(data).success) continue;
      setOwnKey(version, tag, data);
    }
    versions.set(tag, version);
  }
  return versions;
}
