import { dismissNotice, withOverridden, type OverriddenNotice, type TasksFile } from '@taskmaster/protocol';
import type { OverriddenNotices } from '@taskmaster/store';

/** A bound on `sync.status`'s size: each notice may carry fields of up to 1 MB a side. */
export const MAX_OVERRIDDEN = 100;

/**
 * The overridden changes (`sync.conflict`) that may still stand: what
 * `sync.status` lists for clients that were not there when they were
 * announced. Kept in a file (the store's {@link OverriddenNotices}) so that a
 * restart of the server does not forget what another program wrote over: the
 * user learns of it at the next board, VS Code or `sync server status` they
 * open, until it is put back, dismissed, or the task changes again.
 */
export class StandingOverridden {
  private notices: OverriddenNotice[] = [];
  /** The last write of the file: writes go one after another, each with the list as it is then. */
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: OverriddenNotices,
    /** Told of a file that could not be read or written (a notice is never lost for it, only not kept across a restart). */
    private readonly failed: (what: 'read' | 'write', err: unknown) => void,
  ) {}

  /**
   * The notices kept before a restart that still stand in `data`, oldest
   * first, without their old revisions: the caller numbers them in this
   * server's change log and gives them to {@link add}. None when the file
   * is missing or unreadable (then said to `failed`).
   */
  async kept(data: TasksFile): Promise<Array<Omit<OverriddenNotice, 'revision'>>> {
    let kept: OverriddenNotice[];
    try {
      kept = await this.file.standing(async () => data);
    } catch (err) {
      this.failed('read', err);
      return [];
    }
    return kept.slice(-MAX_OVERRIDDEN).map(({ revision: _old, ...notice }) => notice);
  }

  /** Adds the notices just announced (or numbered again after a restart), and keeps the list standing in `data` in the file. */
  add(notices: readonly OverriddenNotice[], data: TasksFile): void {
    this.notices = this.now([...this.notices, ...notices], data);
    this.keep();
  }

  /**
   * Drops the notice standing in `data` named `notice` ({@link overriddenNoticeId}):
   * someone keeps what the other program wrote. Returns it, or undefined when
   * no such notice stands (put back, changed again, dismissed already).
   */
  dismiss(notice: string, data: TasksFile): OverriddenNotice | undefined {
    const { dismissed, rest } = dismissNotice(this.now(this.notices, data), notice);
    if (!dismissed) return undefined;
    this.notices = rest;
    this.keep();
    return dismissed;
  }

  /** The notices that still stand in `data`: the latest per task, the last {@link MAX_OVERRIDDEN}, oldest first. */
  standing(data: TasksFile): OverriddenNotice[] {
    return this.now(this.notices, data);
  }

  /** Resolves once the file holds the last list given (or failed to). */
  settled(): Promise<void> {
    return this.written;
  }

  /** Writes the list as it is now, after the writes before it. */
  private keep(): void {
    const list = this.notices;
    this.written = this.written.then(() => this.file.write(list)).catch((err: unknown) => this.failed('write', err));
  }

  private now(notices: readonly OverriddenNotice[], data: TasksFile): OverriddenNotice[] {
    return withOverridden([], notices, data).slice(-MAX_OVERRIDDEN);
  }
}
