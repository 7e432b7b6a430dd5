import { isLegacyTasksFile, type TasksFile } from '@taskmaster/protocol';
import { SegmentedBytes, WriteSpace, type EncodedFile } from './encoded-file.js';
import type { FileIdentity } from './file-identity.js';
import { FileSource } from './file-source.js';
import { HASH_OFF_THREAD_FROM } from './hash-off-thread.js';

/** A tasks file encoded for writing, and whether its data was plain JSON. */
export interface EncodedTasksFile extends EncodedFile {
  /**
   * False when the data held values JSON turns into something else (a Date,
   * NaN, an undefined member), so that reading the file back does not give the data.
   */
  plain: boolean;
  /** Where each task is in the file these bytes make (a file of {@link HASH_OFF_THREAD_FROM} bytes or more): see {@link TasksFileSerializer.placed}. */
  placement: TaskPlacement | undefined;
}

/**
 * The tasks of an encoding, as placed in the file it makes: each task's
 * bytes, from the separator before it (`[` or `,`, a newline and the indent)
 * on, list by list. A list keeps its tasks in order beside two arrays of
 * integers, so the next encoding finds an unchanged task by its
 * position (see {@link PlacedTaskFinder}), with no entry per task in a Map,
 * made anew by every write: with one, encoding 10k tasks of which 100 changed
 * took 5.1–7.6 ms (p50) against 2.0–2.9 ms now.
 */
export interface TaskPlacement {
  /** The file's task lists by tag (`''` for the legacy format's one list). */
  readonly lists: ReadonlyMap<string, PlacedTaskList>;
  /** The indent of every task in the file (the legacy format's, or the tagged one's). */
  readonly indent: string;
}

/** One list of tasks as placed in the file. */
export interface PlacedTaskList {
  /** The tasks, in order, as encoded: the list itself if frozen, else a copy (versions freeze their objects, not their lists). */
  readonly tasks: readonly unknown[];
  readonly offsets: Int32Array;
  /** Negative when the separator is the list's first (`[`): leads are one byte apart, `[` or `,`. 0: not placed (not a frozen object). */
  readonly lengths: Int32Array;
}

/** What {@link TasksFileSerializer.encode} writes and how. */
export interface EncodeOptions {
  trailingNewline: boolean;
  budgetBytes?: number;
  maxBytes?: number;
  expectedBytes?: number;
}

/** A task's bytes as last written, with the separator before it (`[` or `,`, a newline and the indent). */
interface CachedTask {
  bytes: Buffer;
  lead: string;
  indent: string;
  /** The last encoding that used it. */
  used: number;
}

/**
 * More segments than this (each a hash update and an iovec), or cached bytes
 * holding on to buffers of more than 1.25 times the file's size (and two
 * chunks): the next encoding copies the cached bytes together into one buffer.
 * A file hashed off the event loop ({@link HASH_OFF_THREAD_FROM}) costs no hash
 * update per segment, so it may have 16 times as many: at 10k tasks, copying
 * the file's bytes together every tenth write was a tenth of the server's time.
 * Either way the bytes are copied together once the segments written since the
 * last copy have cost about as much as copying (see dropUnused).
 */
const MAX_SEGMENTS = 2048;

/**
 * The kept task bytes go once no encoding has come for this long: a server
 * between bursts of writes has no use for them. The next write after a pause
 * encodes every task again (8–9 ms at 1k tasks, 1.4 MB), after its clients
 * were told of the change; the writes of a burst share bytes as before. At 1k
 * tasks × 10 clients, RssAnon 2 s after 2,000 updates went from 31.6–31.8 to
 * 29.5–30.8 MB (commit.bench). A large file keeps no task bytes (see below).
 */
export const TASK_BYTES_IDLE_MS = 1000;

/**
 * Writes tasks files as Task Master does (`JSON.stringify(data, null, 2)`),
 * as bytes whose concatenation is exactly that text. Each task's bytes can be
 * remembered, keyed by its frozen object: with copy-on-write versions, an
 * update encodes only the tasks it touched, and the file is written from
 * views of the bytes of the others (runs of them one segment each), with no
 * copy of the whole file's text in memory.
 *
 * A file of {@link HASH_OFF_THREAD_FROM} bytes or more keeps none of its
 * bytes in memory once written: the serializer is told where its tasks are
 * in the file in place ({@link placed}), and the next version copies the
 * unchanged ones from that file, through the page cache, as ranges (the
 * file thread copies them: see durable-write.ts). At 10k tasks (14 MB) the
 * server's RssAnon went from 1.03× to 0.87× the Yjs peer's (commit.bench),
 * for one more read of the file from the page cache.
 */
export class TasksFileSerializer {
  /**
   * Task object → its bytes, for the tasks of the version encoded last. Only
   * frozen objects, which cannot change, are kept. An encoding that reaches
   * the end drops the entries it did not use, so the bytes of tasks since
   * replaced go, even while older versions (kept for merges) still hold those tasks.
   */
  private readonly cache = new Map<object, CachedTask>();
  private encodings = 0;
  /** Set by an encoding whose file was in many segments, or whose cached bytes pinned much more than the file: the next copies them together. */
  private compactNext = true;
  /** Segments written since the last copying together: each costs a view and an iovec on every write until then. */
  private segmentsSinceCompaction = 0;
  /** Where the bytes of changed tasks go between compactions: chunks of an eighth of the file (64 KB to 1 MB). */
  private young: WriteSpace | undefined;
  /** The large file in place, and where the tasks it holds are in it: unchanged tasks are copied from it. */
  private source: { file: FileSource; placement: TaskPlacement } | undefined;
  /** Drops the kept task bytes {@link TASK_BYTES_IDLE_MS} after the last encoding. */
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * Says which encoding's bytes `file` now holds (its identity as renamed
   * into place, and the bytes' sha256). With a placement (a large file) the
   * next encoding copies unchanged tasks from the file and the task bytes
   * kept in memory go; without one, it encodes from memory.
   */
  placed(placement: TaskPlacement | undefined, file: string, identity: FileIdentity, hash: string): void {
    if (!placement) return this.dropSource();
    this.source = { file: new FileSource(file, identity, hash), placement };
    this.dropTaskBytes();
  }

  /** Encodes from memory from now on (until the next {@link placed}): the file in place changed, or is not ours. */
  dropSource(): void {
    this.source = undefined;
  }

  /**
   * `trailingNewline` adds the `\n` many editors keep. Task bytes are kept up
   * to `budgetBytes`: the cache holds the tasks of the version encoded last
   * only, so a file larger than the budget has its first tasks cached and the
   * rest encoded on each write. Past `maxBytes` nothing is kept, only counted.
   * `expectedBytes` (the file's size now) sizes the buffer when most bytes will be new or copied.
   */
  async encode(data: TasksFile, options: EncodeOptions): Promise<EncodedTasksFile> {
    clearTimeout(this.idleTimer);
    const source = this.source;
    const opened = await source?.file.open();
    if (source && !opened) this.dropSource();
    try {
      return await this.encodeFrom(data, options, opened && { ...source!, opened });
    } catch (err) {
      await opened?.closeUnchanged();
      throw err;
    } finally {
      // Unref'd: a one-shot write does not wait for it.
      if (this.cache.size > 0) this.idleTimer = setTimeout(() => this.dropTaskBytes(), TASK_BYTES_IDLE_MS).unref();
    }
  }

  /** Forgets the kept task bytes: the next encoding copies or encodes every task again. Views handed out stay valid. */
  private dropTaskBytes(): void {
    this.cache.clear();
    this.young = undefined;
    this.compactNext = true;
  }

  private async encodeFrom(
    data: TasksFile,
    options: EncodeOptions,
    source: { placement: TaskPlacement; opened: NonNullable<EncodedFile['source']> } | undefined,
  ): Promise<EncodedTasksFile> {
    const { trailingNewline, budgetBytes = Infinity, maxBytes = Infinity, expectedBytes = 0 } = options;
    // Where this encoding's tasks go: not worth it for a file far from the size that uses it (the size now says).
    const placing = source || expectedBytes >= HASH_OFF_THREAD_FROM / 2 ? new Map<string, PlacedTaskList>() : undefined;
    let plain = true;
    let kept = 0;
    const cache = this.cache;
    const encoding = ++this.encodings;
    const compact = this.compactNext;
    // Copying everything together: one buffer the size of the file, and a little more; the next
    // writes' new bytes then start a chunk of their own.
    if (compact) {
      this.young = undefined;
      this.segmentsSinceCompaction = 0;
    }
    // With a source only the changed tasks' bytes are new, and none is kept: a small space of their own.
    const space = source ? new WriteSpace(64 * 1024) : compact ? new WriteSpace(Math.max(64 * 1024, expectedBytes + (expectedBytes >> 4))) : (this.young ??= new WriteSpace(chunkBytesFor(expectedBytes)));
    const out = new SegmentedBytes(maxBytes, space);
    const nest = (value: unknown, indent: string): string => {
      if (plain && !isPlainJson(value)) plain = false;
      return nested(value, indent);
    };
    const legacy = isLegacyTasksFile(data);
    const taskIndent = legacy ? '    ' : '      ';
    const firstLead = `[\n${taskIndent}`;
    const nextLead = `,\n${taskIndent}`;
    // The file the unchanged tasks are copied from, when its tasks have this file's indent.
    const placedFrom = source?.placement.indent === taskIndent ? source.placement : undefined;

    const writeTaskBytes = (task: object, lead: string, placed: PlacedTaskList | undefined, at: number): void => {
      if (placed && at >= 0) {
        const offset = placed.offsets[at]!;
        const signed = placed.lengths[at]!;
        // Same indent, so the same leads: the one it had, or the other, as long (and ASCII: as many bytes as characters).
        if ((signed < 0 ? firstLead : nextLead) === lead) return out.range(offset, Math.abs(signed));
        out.text(lead);
        return out.range(offset + lead.length, Math.abs(signed) - lead.length);
      }
      const cached = cache.get(task);
      if (cached !== undefined && cached.indent === taskIndent) {
        cached.used = encoding;
        kept += cached.bytes.length;
        const body = cached.lead === lead ? cached.bytes : cached.bytes.subarray(cached.lead.length);
        if (body !== cached.bytes) out.text(lead);
        if (!compact) return out.view(body);
        const moved = out.copy(body);
        if (moved) Object.assign(cached, { bytes: moved, lead: body === cached.bytes ? lead : '' });
        return;
      }
      const bytes = out.text(lead, nest(task, taskIndent));
      // With a source, the file in place holds them once written: nothing is kept in memory.
      if (!source && bytes && kept + bytes.length <= budgetBytes && Object.isFrozen(task)) {
        cache.set(task, { bytes, lead, indent: taskIndent, used: encoding });
        kept += bytes.length;
      }
    };

    function* tasks(list: unknown[], indent: string, tagName: string): Generator<void> {
      const placed = placing && placedList(list);
      if (placed) placing!.set(tagName, placed);
      const before = placedFrom?.lists.get(tagName);
      const finder = before && new PlacedTaskFinder(before);
      if (list.length === 0) return void out.text('[]');
      for (let i = 0; i < list.length; i++) {
        const task = list[i];
        const lead = i === 0 ? firstLead : nextLead;
        if (typeof task === 'object' && task !== null) {
          const start = out.total;
          writeTaskBytes(task, lead, before, finder ? finder.find(task, list[i + 1]) : -1);
          if (placed && Object.isFrozen(task)) {
            placed.offsets[i] = start;
            placed.lengths[i] = lead === firstLead ? start - out.total : out.total - start;
          }
        } else out.text(lead, nest(task, taskIndent));
        if (out.dueBreak) yield;
      }
      out.text(`\n${indent}]`);
    }
    /** A tag's object (`name` `''` for the legacy file): its `tasks` task by task. */
    function* tag(value: Record<string, unknown>, indent: string, name: string): Generator<void> {
      yield* object(value, indent, (key, member, inner) => (key === 'tasks' && Array.isArray(member) ? tasks(member, inner, name) : undefined));
    }
    function* object(
      value: Record<string, unknown>,
      indent: string,
      custom: (key: string, member: unknown, inner: string) => Generator<void> | undefined,
    ): Generator<void> {
      const inner = indent + '  ';
      let first = true;
      for (const key of Object.keys(value)) {
        const member = value[key];
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
          nest(member, inner); // notes the value JSON drops
          continue;
        }
        out.text(`${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `);
        first = false;
        const members = custom(key, member, inner);
        if (members) yield* members;
        else out.text(nest(member, inner));
        if (out.dueBreak) yield;
      }
      out.text(first ? '{}' : `\n${indent}}`);
    }
    function* file(): Generator<void> {
      if (!isPlainObject(data)) {
        // Anything JSON.stringify treats specially is left to it.
        plain = false;
        out.text(JSON.stringify(data, null, 2));
      } else if (legacy) {
        yield* tag(data, '', '');
      } else {
        yield* object(data, '', (key, member, inner) => (isPlainObject(member) ? tag(member, inner, key) : undefined));
      }
      if (trailingNewline) out.text('\n');
    }

    for (const _ of file()) {
      out.tookBreak();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!source) this.dropUnused(encoding, out.total, out.segmentCount);
    const encoded = await out.finish();
    const large = !encoded.overLimit && encoded.total >= HASH_OFF_THREAD_FROM;
    return { ...encoded, plain, source: source?.opened, placement: placing && large ? { lists: placing, indent: taskIndent } : undefined };
  }

  /** Drops the entries `encoding` did not use, and decides whether the next encoding copies the rest together. */
  private dropUnused(encoding: number, total: number, segments: number): void {
    const held = new Set<ArrayBufferLike>();
    let last: ArrayBufferLike | undefined;
    // forEach, not for…of: an entry array for each of the file's tasks, every write, is garbage a large file feels.
    this.cache.forEach((entry, task) => {
      if (entry.used !== encoding) this.cache.delete(task);
      else if (entry.bytes.buffer !== last) held.add((last = entry.bytes.buffer));
    });
    let heldBytes = 0;
    for (const buffer of held) heldBytes += buffer.byteLength;
    const maxSegments = total < HASH_OFF_THREAD_FROM ? MAX_SEGMENTS : 16 * MAX_SEGMENTS;
    // Copying together costs about what 64 bytes a segment's view and iovec do: once the segments written since
    // the last copy have cost that much, the next write copies (sooner for many changes a write, later for few).
    this.segmentsSinceCompaction += segments;
    this.compactNext = segments > maxSegments || this.segmentsSinceCompaction * 64 > total || heldBytes > total + (total >> 2) + 2 * chunkBytesFor(total);
  }
}

/** The chunk size for the bytes of changed tasks: an eighth of the file, 64 KB to 1 MB. */
function chunkBytesFor(fileBytes: number): number {
  return Math.min(1024 * 1024, Math.max(64 * 1024, fileBytes >> 3));
}

/**
 * A list about to be encoded, to note where its tasks go. A list that is not
 * frozen (a version's never is: see freeze-version.ts) is copied: changed
 * later, it would pair a task with another one's bytes.
 */
function placedList(list: unknown[]): PlacedTaskList {
  return { tasks: Object.isFrozen(list) ? list : list.slice(), offsets: new Int32Array(list.length), lengths: new Int32Array(list.length) };
}

/**
 * Tasks a finder may look for through its whole placement before it builds a
 * lookup by identity. At 10k tasks a scan took 3–6 µs and building the lookup
 * 1.0–1.9 ms (a Map entry a task): a few scans (a task added, moved, or a few
 * changed side by side) cost far less than the lookup, while a reordered
 * list, where every task would be a scan, gets the lookup after 32 of them.
 */
const SCANS_BEFORE_LOOKUP = 32;

/**
 * Finds the tasks of a list in its placement from the last encoding, asked
 * in the list's order. A new version mostly holds the same task objects at
 * the same positions, so each is looked for where the last one found left
 * off: one comparison a task. A task replaced there (an update: the next one
 * lines up again) or one removed before it is recognised by its neighbours;
 * any other is looked for through the whole placement (new, moved, or several
 * changed side by side), and past {@link SCANS_BEFORE_LOOKUP} such tasks (a
 * list reordered) by a lookup built once. A task is only ever found as the
 * very object placed: frozen, so the same bytes.
 */
class PlacedTaskFinder {
  private next = 0;
  private scans = 0;
  private byTask: Map<unknown, number> | undefined;

  constructor(private readonly placed: PlacedTaskList) {}

  /** The index of `task` in the placement, or -1 (not there, or not placed); `after` is the task that follows it in the new list. */
  find(task: object, after: unknown): number {
    if (this.byTask) return this.placedAt(this.byTask.get(task) ?? -1);
    const { tasks } = this.placed;
    const at = this.next;
    if (tasks[at] === task) return this.foundAt(at);
    // The one there was removed.
    if (tasks[at + 1] === task) return this.foundAt(at + 1);
    // This task replaces the one there (an update): the ones after line up again.
    if (at < tasks.length && tasks[at + 1] === after && tasks[at] !== after) {
      this.next = at + 1;
      return -1;
    }
    if (++this.scans > SCANS_BEFORE_LOOKUP) {
      this.byTask = new Map();
      for (let i = 0; i < tasks.length; i++) if (this.placed.lengths[i] !== 0) this.byTask.set(tasks[i], i);
      return this.placedAt(this.byTask.get(task) ?? -1);
    }
    const found = tasks.indexOf(task);
    if (found >= 0) {
      // Moved here with the ones after it (tasks removed before it), or alone: then the ones at `next` still come.
      if (tasks[found + 1] === after) this.next = found + 1;
      return this.placedAt(found);
    }
    // New: inserted before the one there, or one of several changed side by side (it took that one's place).
    if (tasks[at] !== after) this.next = at + 1;
    return -1;
  }

  private foundAt(at: number): number {
    this.next = at + 1;
    return this.placedAt(at);
  }

  private placedAt(at: number): number {
    return at >= 0 && this.placed.lengths[at] !== 0 ? at : -1;
  }
}

/**
 * JSON.stringify(value, null, 2) as it appears nested at `indent` (two
 * spaces a level, as every indent here is). Stringified inside as many
 * arrays, its lines come indented already: the wrapping is sliced off, where
 * indenting each line afterwards copied every changed task's text once more
 * (30% slower on the real fixture's tasks, and their second largest garbage).
 */
function nested(value: unknown, indent: string): string {
  if (indent === '') return JSON.stringify(value, null, 2) ?? 'null';
  const depth = indent.length >> 1;
  // An undefined, function or symbol value is `null` in an array, as `?? 'null'` makes it above.
  const text = JSON.stringify(inArrays(value, depth), null, 2);
  // Level k (1…depth) opens with "[\n" and 2k spaces, and closes with "\n", 2(k-1) spaces and "]".
  return text.slice(depth * (depth + 3), text.length - depth * (depth + 1));
}

function inArrays(value: unknown, depth: number): unknown {
  let wrapped = value;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  return wrapped;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** True when JSON.parse(JSON.stringify(value)) gives `value` back. */
function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false; // holes too
        return true;
      }
      return isPlainObject(value) && Object.values(value).every(isPlainJson);
    default:
      return false;
  }
}
