import { randomUUID } from 'node:crypto';
import type { ConflictData } from '@taskmaster/protocol';

/** A conflict kept until a client settles it with `conflict.resolve`. */
export interface PendingConflict extends ConflictData<Record<string, unknown>> {
  conflictId: string;
  createdAt: number;
}

/** Pending conflicts, bounded in number and age so abandoned ones do not pile up. */
export class ConflictRegistry {
  private readonly items = new Map<string, PendingConflict>();

  constructor(
    private readonly max = 100,
    private readonly ttlMs = 30 * 60_000,
  ) {}

  add(data: Omit<PendingConflict, 'conflictId' | 'createdAt'>): PendingConflict {
    this.prune();
    const conflict = { ...data, conflictId: randomUUID(), createdAt: Date.now() };
    this.items.set(conflict.conflictId, conflict);
    while (this.items.size > this.max) this.items.delete(this.items.keys().next().value!);
    return conflict;
  }

  get(id: string): PendingConflict | undefined {
    this.prune();
    return this.items.get(id);
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  get size(): number {
    return this.items.size;
  }

  private prune(): void {
    const oldest = Date.now() - this.ttlMs;
    for (const [id, c] of this.items) {
      if (c.createdAt >= oldest) break;
      this.items.delete(id);
    }
  }
}
