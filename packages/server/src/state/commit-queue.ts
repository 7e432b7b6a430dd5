import type { TasksFile } from '@taskmaster/protocol';

/** One mutation waiting for the next commit. */
interface PendingOp {
  name: string;
  apply: (data: TasksFile) => unknown;
  resolve: (outcome: { value: unknown; revision: number }) => void;
  reject: (error: unknown) => void;
}

/** How the queue writes: one durable transaction applying `fn`; returns fn's value and the revision it reached. */
export type Committer = <T>(fn: (data: TasksFile) => T, ops: string[]) => Promise<{ value: T; revision: number }>;

/**
 * Group commit: mutations queue up; when no commit is in flight one starts
 * at once, and everything that arrives meanwhile goes into the next single
 * transaction. Each op runs in its own try/catch, so a failing op fails only
 * its own request. Exclusive jobs (reload, restore) run between commits.
 */
export class CommitQueue {
  private ops: PendingOp[] = [];
  private jobs: Array<() => Promise<void>> = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private closedWith: unknown;

  constructor(
    private readonly commit: Committer,
    private readonly maxBatch = 5000,
    /**
     * How long to leave the file alone after a commit that held it from
     * `start` to `end` (performance.now()), if more work is already waiting
     * (asked after every commit). Other programs lock tasks.json too:
     * Task Master's CLI gives up after five tries within about 1.5 s, so under
     * sustained load we must not hold the lock back to back. Ops arriving
     * meanwhile join the next commit, so throughput holds; only their latency
     * grows, by about the pause.
     */
    private readonly pauseAfter: (start: number, end: number) => number = () => 0,
  ) {}

  /** Queues `apply`; resolves after the transaction holding it is durable. */
  submit<T>(name: string, apply: (data: TasksFile) => T): Promise<{ value: T; revision: number }> {
    return new Promise((resolve, reject) => {
      if (this.closedWith !== undefined) return reject(this.closedWith);
      this.ops.push({ name, apply, resolve: resolve as PendingOp['resolve'], reject });
      this.kick();
    });
  }

  /** Runs `job` alone, with no commit in flight. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.closedWith !== undefined) return reject(this.closedWith);
      this.jobs.push(() => job().then(resolve, reject));
      this.kick();
    });
  }

  /** Resolves when nothing is queued or running. */
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
    if (this.running) return;
    this.running = true;
    this.idle = new Promise((r) => (this.markIdle = r));
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.ops.length > 0 || this.jobs.length > 0) {
        const job = this.jobs.shift();
        if (job) {
          await job().catch(() => {});
          continue;
        }
        const started = performance.now();
        await this.runBatch(this.ops.splice(0, this.maxBatch));
        // Asked after every commit, so that each one counts towards the lock's share.
        const pause = this.pauseAfter(started, performance.now());
        if (this.ops.length > 0 && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } finally {
      this.running = false;
      this.markIdle();
    }
  }

  private async runBatch(batch: PendingOp[]): Promise<void> {
    try {
      // The outcomes are fn's value, so that what the ops return outlives the transaction.
      const { value: outcomes, revision } = await this.commit(
        (data) =>
          batch.map((op) => {
            try {
              return { ok: true as const, value: op.apply(data) };
            } catch (error) {
              return { ok: false as const, error };
            }
          }),
        batch.map((op) => op.name),
      );
      batch.forEach((op, i) => {
        const o = outcomes[i]!;
        if (o.ok) op.resolve({ value: o.value, revision });
        else op.reject(o.error);
      });
    } catch (error) {
      for (const op of batch) op.reject(error);
    }
  }
}
