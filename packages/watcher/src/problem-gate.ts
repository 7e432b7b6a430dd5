import type { TasksFileProblem } from './types.js';

/**
 * Decides when a bad file is worth reporting: only after it stayed the same
 * for `settleMs` (writers in mid-write and rename-writes pass through bad
 * states), and only once per bad state.
 */
export class ProblemGate {
  /** The bad state waiting to settle; `due` once settleMs has passed. */
  #pending: { key: string; due: boolean } | undefined;
  /** The bad state already reported. */
  #reported: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settleMs: number,
    /** Called when a pending bad state should be read again. */
    private readonly recheck: () => void,
    private readonly report: (problem: TasksFileProblem) => void,
  ) {}

  /** The file is in the bad state `key` (a content hash, or why it is unreadable). */
  bad(key: string, problem: TasksFileProblem): void {
    if (key === this.#reported) return;
    if (this.#pending?.key === key) {
      if (!this.#pending.due) return; // the timer will bring us back
      this.#pending = undefined;
      this.#reported = key;
      this.report(problem);
      return;
    }
    const pending = { key, due: false };
    this.#pending = pending;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      pending.due = true;
      this.recheck();
    }, this.settleMs);
  }

  /** The file is good again: forget every bad state. Returns whether a reported one was cleared. */
  good(): boolean {
    const cleared = this.#reported !== undefined;
    this.dispose();
    this.#pending = undefined;
    this.#reported = undefined;
    return cleared;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
