import { StaleVersionError } from '@taskmaster/store';
import type { TasksFile } from '@taskmaster/protocol';

/** One mutation waiting to be announced. */
export interface QueuedOp {
  name: string;
  apply: (data: TasksFile) => unknown;
}

/** What one op came to when announced: its value, or the error that refused it (then it changed nothing). */
export type OpOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * The two stages of a commit, run by the queue in order: every change is
 * announced from memory as soon as it is validated, and made durable by the
 * next write, which carries everything announced before it started.
 */
export interface CommitStages {
  /** Drafts each op on the version clients hold, in order, and announces what it changed (synchronous: nothing else runs meanwhile). */
  announce(batch: readonly QueuedOp[]): OpOutcome[];
  /**
   * Makes everything announced so far durable (nothing to do when the file
   * holds it already); returns the revision clients are at and how long to
   * leave the lock alone before the next write. Throws {@link StaleVersionError} when another writer got
   * there first (nothing written), any other error when the write failed.
   */
  persist(ops: readonly string[]): Promise<{ revision: number; pauseMs: number }>;
  /** Adopts the version another writer left in the file, merged with every change announced since ours. */
  adoptFile(): Promise<void>;
  /** After a failed write: tells clients what the file still holds, withdrawing every change not in it. */
  withdraw(): Promise<void>;
}

/** An announced op waiting for the write that makes it durable. */
interface WaitingOp {
  name: string;
  outcome: OpOutcome;
  resolve: (outcome: { value: unknown; revision: number }) => void;
  reject: (error: unknown) => void;
}

/** The longest a write waits for the callers of the last one to send their next ops (see {@link CommitQueue.gatherAfter}). */
const GATHER_MS = 4;

/**
 * A lone op's write (nothing else announced, no write running) starts this
 * long after its announcement, not in the same turn: started at once (the
 * file encoded on this thread, then written by the file thread), it slowed
 * the clients on the same machine taking the event just sent, and the
 * server, the board, VS Code and the CLI usually share one small machine. At
 * 1k tasks × 10 clients on 2 cores (bench/commit.bench.mjs, 9 interleaved
 * pairs of latency-only runs): from the first client's receipt to the last's,
 * 0.38–0.61 ms p50 with the wait against 0.45–0.76 without (a bare `ws`
 * relay: 0.24–0.48), and 1.14–1.28× the Yjs peer's p50 (mean 1.20) against
 * 1.22–1.32× (mean 1.27). The reply, which waits for the write, comes a
 * millisecond later; under load (a write running, or several ops at once)
 * nothing waits.
 */
const LONE_WRITE_DELAY_MS = 1;

/** Under load, announcements are spaced by this many times what the last one cost (see {@link CommitQueue.spaceAnnouncements}). */
const ANNOUNCE_SPACING = 4;
const MAX_ANNOUNCE_WAIT_MS = 20;
const MIN_SPACED_COST_MS = 1;

/**
 * Writes lost to other writers are tried again (after adopting their version) for this long, the ops
 * waiting for them failing (1006) after that. Each try merges what the other writer wrote, so trying
 * costs nothing, while giving up withdraws what was announced: a few Task Master processes writing
 * back to back outrun a handful of tries, not seconds of them.
 */
const STALE_WRITES_FOR_MS = 10_000;
/** The wait before the next try after the n-th lost write in a row: 0, 5, 10, 20, … ms, up to this. */
const MAX_STALE_BACKOFF_MS = 200;

/**
 * Pipelined group commit. An op is drafted and announced as soon as it
 * reaches the front (clients never wait for the disk), and replied to once
 * the write that carries it is durable. One write runs at a time and takes
 * everything announced before it started; while it runs, ops keep being
 * announced and gather for the next one. So an op costs a draft and an
 * announcement, and the disk's cost is shared by every op of a write.
 *
 * Exclusive jobs (adopting an outside write, a restore, team sync's changes)
 * run alone, once everything announced is durable, and nothing is announced
 * meanwhile. A write's own recovery runs before that: a write that finds the
 * file changed by another writer hands over to a job that merges that version
 * with everything announced; a write that fails withdraws everything
 * announced and not yet durable, and its ops fail.
 */
export class CommitQueue {
  private ops: Array<QueuedOp & Pick<WaitingOp, 'resolve' | 'reject'>> = [];
  /** Jobs to run alone; `urgent` ones (a write's own recovery) run before what is announced is durable, the others after. */
  private jobs: Array<{ run: () => Promise<void>; urgent: boolean }> = [];
  /** Announced ops, in order, waiting for the next write. */
  private waiting: WaitingOp[] = [];
  private draining = false;
  private writing: Promise<void> | undefined;
  /** A lone op's write, due in {@link LONE_WRITE_DELAY_MS}. */
  private loneWrite: NodeJS.Timeout | undefined;
  /** Writes lost to other writers in a row, when the first of them was lost, and why adopting the winner's version failed. */
  private stale: { writes: number; since: number; adoptError?: unknown } = { writes: 0, since: 0 };
  /** How many ops the last announcement carried, how long it took and when it ended (performance.now() ms). */
  private lastAnnounce = { ops: 0, cost: 0, end: 0 };
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private busy = false;
  private closedWith: unknown;

  constructor(
    private readonly stages: CommitStages,
    private readonly maxBatch = 5000,
  ) {}

  /** Queues `apply`; resolves once the write carrying its change is durable. */
  submit<T>(name: string, apply: (data: TasksFile) => T): Promise<{ value: T; revision: number }> {
    return new Promise((resolve, reject) => {
      if (this.closedWith !== undefined) return reject(this.closedWith);
      this.ops.push({ name, apply, resolve: resolve as WaitingOp['resolve'], reject });
      this.kick();
    });
  }

  /** Runs `job` alone: no write in flight, nothing announced meanwhile. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.closedWith !== undefined) return reject(this.closedWith);
      this.jobs.push({ run: () => job().then(resolve, reject), urgent: false });
      this.kick();
    });
  }

  /** Resolves when nothing is queued, announced and not durable, or running. */
  drained(): Promise<void> {
    return this.idle;
  }

  /**
   * Refuses new work with `error` from now on and resolves once what was
   * already queued is done. Without the refusal, a call still being handled
   * when the server closes could commit after close() resolved.
   */
  close(error: unknown): Promise<void> {
    this.closedWith ??= error;
    return this.idle;
  }

  private kick(): void {
    if (!this.busy) {
      this.busy = true;
      this.idle = new Promise((r) => (this.markIdle = r));
    }
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  /** Announces ops and runs jobs, in order, until none is left. */
  private async drain(): Promise<void> {
    let gathered = false;
    try {
      while (this.ops.length > 0 || this.jobs.length > 0) {
        if (this.jobs.length > 0) {
          // A job sees the file holding all that clients were told: announced ops are written first.
          if (!this.jobs[0]!.urgent && (this.writing || this.waiting.length > 0)) {
            this.startWriting();
            await this.writing;
            continue;
          }
          await this.writing;
          const job = this.jobs.shift()!;
          await job.run().catch(() => {});
          this.startWriting();
          continue;
        }
        if (this.writing && !gathered) {
          gathered = true;
          await this.spaceAnnouncements();
          continue;
        }
        gathered = false;
        const batch = this.ops.splice(0, this.maxBatch);
        const started = performance.now();
        const outcomes = this.stages.announce(batch);
        this.lastAnnounce = { ops: batch.length, cost: performance.now() - started, end: performance.now() };
        batch.forEach((op, i) => this.waiting.push({ name: op.name, outcome: outcomes[i]!, resolve: op.resolve, reject: op.reject }));
        if (batch.length === 1 && this.waiting.length === 1 && !this.writing) this.loneWrite ??= setTimeout(() => this.startWriting(), LONE_WRITE_DELAY_MS);
        else this.startWriting();
      }
    } finally {
      this.draining = false;
      this.settleIdle();
    }
  }

  private startWriting(): void {
    clearTimeout(this.loneWrite);
    this.loneWrite = undefined;
    if (this.writing || this.waiting.length === 0) return;
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
      this.settleIdle();
    });
  }

  /** Writes until nothing announced is waiting, or a write's recovery must run first. */
  private async writeAll(): Promise<void> {
    while (this.waiting.length > 0 && !this.jobs[0]?.urgent) {
      const group = this.waiting.splice(0);
      let pauseMs: number;
      let revision: number;
      try {
        ({ pauseMs, revision } = await this.stages.persist(group.map((w) => w.name)));
      } catch (error) {
        // Trying again is no use once the winner's version could not be adopted (the same failure would come back).
        const retry = this.stale.adoptError === undefined && (this.stale.writes === 0 || performance.now() - this.stale.since < STALE_WRITES_FOR_MS);
        if (error instanceof StaleVersionError && retry) {
          if (this.stale.writes++ === 0) this.stale.since = performance.now();
          // Another writer got there first: its version is adopted, merged with ours, before the next try,
          // which waits a little longer each time so that writers writing back to back can finish.
          const backoffMs = Math.min(MAX_STALE_BACKOFF_MS, this.stale.writes === 1 ? 0 : 5 * 2 ** (this.stale.writes - 2));
          this.waiting.unshift(...group);
          this.runFirst(async () => {
            if (backoffMs > 0) await new Promise((resolve) => setTimeout(resolve, backoffMs));
            await this.stages.adoptFile().catch((err: unknown) => void (this.stale.adoptError = err));
          });
          return;
        }
        const failure = error instanceof StaleVersionError ? (this.stale.adoptError ?? error) : error;
        this.stale = { writes: 0, since: 0 };
        // Everything announced on top of the failed write goes with it.
        for (const w of [...group, ...this.waiting.splice(0)]) w.reject(w.outcome.ok ? failure : w.outcome.error);
        this.runFirst(() => this.stages.withdraw());
        return;
      }
      this.stale = { writes: 0, since: 0 };
      for (const w of group) {
        if (w.outcome.ok) w.resolve({ value: w.outcome.value, revision });
        else w.reject(w.outcome.error);
      }
      if (pauseMs > 0 && this.waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      await this.gatherAfter(group.length);
    }
  }

  /**
   * Group commit's one wait: after a write that carried many ops, whose
   * callers were just answered and are sending their next ones, the next
   * write waits up to {@link GATHER_MS} for about half as many to be
   * announced, instead of starting with the one or two already there and
   * leaving the rest to wait for it. After a write of a few ops it never waits.
   */
  private async gatherAfter(lastGroup: number): Promise<void> {
    const until = performance.now() + GATHER_MS;
    while (this.waiting.length > 0 && this.waiting.length * 2 < lastGroup && this.jobs.length === 0 && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /**
   * While a write is on its way to disk, ops are announced in groups, no more
   * often than every {@link ANNOUNCE_SPACING} times the last announcement's
   * cost (up to {@link MAX_ANNOUNCE_WAIT_MS}) when it carried several ops and
   * cost a millisecond or more, or as soon as the write ends.
   * A draft costs about the same for one op as for many (it copies and
   * checks the tag's task list), so under load this keeps drafting to a
   * fifth of the time instead of one draft per op; a lone op, with no
   * write running, is announced at once.
   */
  private async spaceAnnouncements(): Promise<void> {
    const due = this.lastAnnounce.end + Math.min(MAX_ANNOUNCE_WAIT_MS, ANNOUNCE_SPACING * this.lastAnnounce.cost);
    const wait = due - performance.now();
    // A lone writer (the last announcement carried one op) has nobody to wait for, and a cheap
    // draft (a small tag) is not worth a timer, whose least wait is a millisecond or more.
    if (this.lastAnnounce.ops < 2 || this.lastAnnounce.cost < MIN_SPACED_COST_MS || wait < 1) {
      // The ops arriving in this turn are announced together.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, wait))), this.writing]);
    clearTimeout(timer);
  }

  private runFirst(job: () => Promise<void>): void {
    this.jobs.unshift({ run: job, urgent: true });
    this.kick();
  }

  private settleIdle(): void {
    if (this.draining || this.writing || this.waiting.length > 0 || this.ops.length > 0 || this.jobs.length > 0) return;
    this.busy = false;
    this.markIdle();
  }
}
