import {
  diffTasksFiles,
  isLoggedEventName,
  type EventPayload,
  type MethodResult,
  type TaskmasterError,
} from '@taskmaster/protocol';
import type { EventBus } from './emitter.js';
import type { ReplicaStore } from './replica.js';
import { eventMismatch } from './server-messages.js';

/** What `sync.pull` and `GET /api/sync/changes` answer. */
export type PullResult = MethodResult<'sync.pull'>;

/**
 * The client's view of the server's history: epoch, revision, and the rule
 * that every event reaches handlers once and in order, whether it came live,
 * from a resync after a reconnect, or from polling.
 *
 * Several events may share a revision (one write that changed many tasks),
 * so an event is a duplicate when a pull already covered its revision, when
 * its revision is older than the newest seen, or equal to it and already seen. Revisions carried by responses are kept
 * apart: a response can overtake the batched events of older revisions.
 */
export class Synchronizer {
  epoch: string | undefined;
  /** The newest revision of an event delivered or a pull applied. */
  eventRevision = 0;
  private responseRevision = 0;
  /** Every event up to this revision is already reflected (a pull or snapshot covered it). */
  private covered = 0;
  private seenAtTop = new Set<string>();
  private buffer: Array<{ event: string; payload: unknown }> | undefined;

  /**
   * `refused` hears of each event the protocol's schema refuses (1003): it is
   * skipped, so the replica and handlers may have missed a change until a
   * full pull.
   */
  constructor(
    private readonly bus: EventBus,
    private readonly replica: ReplicaStore | undefined,
    private readonly refused: (error: TaskmasterError) => void,
  ) {}

  /** The last revision seen in an event or a response. */
  get revision(): number {
    return Math.max(this.eventRevision, this.responseRevision);
  }

  /** True once a baseline (epoch and revision) is known. */
  get synced(): boolean {
    return this.epoch !== undefined;
  }

  /** Notes the revision of a call's result, if it has one. */
  noteResult(result: unknown): void {
    const revision = (result as { revision?: unknown } | null)?.revision;
    if (typeof revision === 'number' && revision > this.responseRevision) this.responseRevision = revision;
  }

  /** Holds live events until the resync that started now has been applied. */
  beginResync(): void {
    this.buffer = [];
  }

  /** Delivers the events held during the resync, minus those the pull already had. */
  endResync(): void {
    const held = this.buffer ?? [];
    this.buffer = undefined;
    for (const { event, payload } of held) this.receive(event, payload);
  }

  /** Drops the held events: the next resync pulls them again. */
  abortResync(): void {
    this.buffer = undefined;
  }

  /** An event from the socket: delivered unless it is a duplicate. */
  receive(event: string, payload: unknown): void {
    if (this.buffer) {
      this.buffer.push({ event, payload });
      return;
    }
    const mismatch = eventMismatch(event, payload);
    if (mismatch) return this.refused(mismatch);
    if (event === 'sync.snapshot') {
      const snapshot = payload as EventPayload<'sync.snapshot'>;
      this.restart(snapshot.epoch, snapshot.revision);
      this.replica?.replace(snapshot.data);
      this.bus.emit(event, payload);
      return;
    }
    if (!this.accept(event, payload)) return;
    if (event === 'task.patched' && this.replica) {
      // The short form a replica asks for: handlers get the task.updated it stands for, whole task included.
      const updated = this.replica.expand(payload as EventPayload<'task.patched'>);
      // Nothing to patch: the copy does not hold the item (an event older than what it holds).
      if (!updated) return;
      this.replica.apply('task.updated', updated);
      this.bus.emit('task.updated', updated);
      return;
    }
    this.replica?.apply(event, payload);
    this.bus.emit(event, payload);
  }

  /**
   * Applies a pull. The first one only sets the baseline (and fills the
   * replica): history from before the client existed is not news to it.
   * Later ones deliver the missed events; a full one (the server no longer
   * has them, e.g. it restarted) replaces the replica, delivers the task
   * events that turn the old copy into the new one, then `sync.snapshot`.
   */
  applyPull(result: PullResult): void {
    const initial = !this.synced;
    if (initial || result.full) {
      const before = this.replica?.data();
      this.restart(result.epoch, result.revision);
      const data = result.data;
      if (!data) return;
      if (initial) {
        this.replica?.replace(data);
        return;
      }
      const changes = before ? diffTasksFiles(before, data) : [];
      this.replica?.replace(data);
      for (const change of changes) this.bus.emit(change.event, { ...change.payload, revision: result.revision });
      this.bus.emit('sync.snapshot', { epoch: result.epoch, revision: result.revision, data });
      return;
    }
    this.epoch = result.epoch;
    for (const { event, payload } of result.events) {
      const mismatch = eventMismatch(event, payload);
      if (mismatch) {
        this.refused(mismatch);
        continue;
      }
      if (!this.accept(event, payload)) continue;
      this.replica?.apply(event, payload);
      this.bus.emit(event, payload);
    }
    this.advance(result.revision);
    this.covered = Math.max(this.covered, result.revision);
  }

  /** Sets the baseline without data (a client without a replica). */
  setBaseline(epoch: string, revision: number): void {
    this.restart(epoch, revision);
  }

  private accept(event: string, payload: unknown): boolean {
    // Only what the change log keeps is history; `sync.connected` carries a revision as information.
    if (!isLoggedEventName(event)) return true;
    const revision = (payload as { revision?: unknown } | null)?.revision;
    if (typeof revision !== 'number') return true;
    if (revision <= this.covered || revision < this.eventRevision) return false;
    const key = `${event}\n${JSON.stringify(payload)}`;
    if (revision === this.eventRevision && this.seenAtTop.has(key)) return false;
    this.advance(revision);
    this.seenAtTop.add(key);
    return true;
  }

  private advance(revision: number): void {
    if (revision <= this.eventRevision) return;
    this.eventRevision = revision;
    this.seenAtTop = new Set();
  }

  private restart(epoch: string, revision: number): void {
    this.epoch = epoch;
    this.eventRevision = revision;
    this.responseRevision = revision;
    this.covered = revision;
    this.seenAtTop = new Set();
  }
}
