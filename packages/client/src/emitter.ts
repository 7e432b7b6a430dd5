import { matchesEventPattern } from '@taskmaster/protocol';

/** A listener of an event name or a pattern (`*`, `task.*`). */
export type EventListener = (payload: unknown, name: string) => void;

/** Delivers events to listeners registered by name or pattern. */
export class EventBus {
  private readonly listeners = new Set<{ pattern: string; listener: EventListener }>();

  /** Registers `listener`; returns the function that removes it. */
  on(pattern: string, listener: EventListener): () => void {
    const entry = { pattern, listener };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(name: string, payload: unknown): void {
    for (const { pattern, listener } of [...this.listeners]) {
      if (!matchesEventPattern(pattern, name)) continue;
      // A throwing listener must not stop the others or the client's own bookkeeping.
      try {
        listener(payload, name);
      } catch (err) {
        console.error('taskmaster client: an event listener threw', err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
