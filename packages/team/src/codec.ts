import {
  TeamChangePayloadSchema,
  type TeamChangePayload,
  TeamSnapshotPayloadSchema,
  type TasksFile,
  type TeamOp,
} from '@taskmaster/protocol';
import { open, seal, type TeamKey } from './seal.js';
import { isTagOp, isTaskOp } from './team-ops.js';

/**
 * Turns operations and snapshots into the bytes a row holds and back: JSON,
 * sealed when the team has a passphrase. What comes back is validated
 * before anything of ours sees it.
 */
export class TeamCodec {
  constructor(
    private readonly project: string,
    private readonly key: TeamKey | undefined,
  ) {}

  get encrypted(): boolean {
    return this.key !== undefined;
  }

  /** `ops` as {@link teamOpsOf} orders them: added tags, task operations, deleted tags. */
  encodeChange(changeId: string, ops: readonly TeamOp[]): Buffer {
    const taskOps = ops.filter(isTaskOp);
    const tagOps = ops.filter(isTagOp);
    const payload: TeamChangePayload = tagOps.length > 0 ? { v: 1, ops: taskOps, tags: tagOps } : { v: 1, ops: taskOps };
    return this.wrap(Buffer.from(JSON.stringify(payload)), `change:${this.project}:${changeId}`);
  }

  /** The operations of a row, in the order they apply (see {@link TeamChangePayloadSchema}). */
  decodeChange(changeId: string, payload: Uint8Array): TeamOp[] {
    const json = JSON.parse(this.unwrap(payload, `change:${this.project}:${changeId}`).toString('utf8'));
    const { ops, tags = [] } = validated(TeamChangePayloadSchema, json);
    return [...tags.filter((op) => 'tagAdded' in op), ...ops, ...tags.filter((op) => 'tagDeleted' in op)];
  }

  encodeSnapshot(seq: number, data: TasksFile): Buffer {
    return this.wrap(Buffer.from(JSON.stringify({ v: 1, data })), `snapshot:${this.project}:${seq}`);
  }

  decodeSnapshot(seq: number, payload: Uint8Array): TasksFile {
    const json = JSON.parse(this.unwrap(payload, `snapshot:${this.project}:${seq}`).toString('utf8'));
    // A plain object ops may change.
    return validated(TeamSnapshotPayloadSchema, json).data as TasksFile;
  }

  private wrap(plain: Buffer, aad: string): Buffer {
    return this.key ? seal(this.key, plain, aad) : plain;
  }

  private unwrap(payload: Uint8Array, aad: string): Buffer {
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return this.key ? open(this.key, bytes, aad) : bytes;
  }
}

/**
 * `json` once `schema` accepts it, as it came: zod's copy would list each
 * task's fields in the schema's order, and the file of a member that took a
 * task from the log would differ from its author's in every such task (a diff
 * in git for nothing). The schemas only check (no defaults, no transforms),
 * so the data is the same.
 */
export function validated<T>(schema: { parse(value: unknown): T }, json: unknown): T {
  schema.parse(json);
  return json as T;
}
