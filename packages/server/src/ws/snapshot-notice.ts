import type { SyncEngine } from '../engine.js';
import { OutgoingEvent } from './outgoing-event.js';

/**
 * The `sync.snapshot` told to a connection that fell behind: clients already
 * start afresh from it (replica replaced, revision reset). Built once per
 * version of the file and shared by every lagging connection.
 */
export class SnapshotNotice {
  private latest: { data: unknown; revision: number; event: OutgoingEvent } | undefined;

  constructor(private readonly engine: SyncEngine) {}

  /** The snapshot of the version clients hold now. */
  current(): OutgoingEvent {
    const { engine } = this;
    const data = engine.served;
    if (this.latest?.data !== data || this.latest.revision !== engine.revision) {
      const event = new OutgoingEvent('sync.snapshot', { epoch: engine.changeLog.epoch, revision: engine.revision, data });
      this.latest = { data, revision: engine.revision, event };
    }
    return this.latest.event;
  }
}
