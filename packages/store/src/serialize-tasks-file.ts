import { isLegacyTasksFile, type TasksFile } from '@taskmaster/protocol';

/** A file's text as pieces, made as they are read, and whether its data was plain JSON. */
export interface SerializedTasksFile {
  /** Read once: each piece is made when asked for, so a large file's text is never all in memory. */
  pieces: Iterable<string>;
  /**
   * After `pieces` was read: false when the data held values JSON turns into
   * something else (a Date, NaN, an undefined member), so that reading the
   * file back does not give the data.
   */
  plain(): boolean;
}

/**
 * Writes tasks files as Task Master does (`JSON.stringify(data, null, 2)`),
 * as pieces whose concatenation is exactly that text. Each task is one
 * piece, and the piece of a frozen task object can be remembered: with
 * copy-on-write versions, an update re-serialises only the tasks it touched.
 */
export class TasksFileSerializer {
  /**
   * Task object → its text at its depth in the file, for the tasks of the
   * version serialised last. Only frozen objects, which cannot change, are
   * kept. Each entry notes the last serialisation that used it; one that
   * reaches the end drops the others, so the texts of tasks since replaced
   * go, even while older versions (kept for merges) still hold those tasks.
   */
  private readonly cache = new Map<object, { text: string; used: number }>();
  private serialisations = 0;

  /**
   * `trailingNewline` adds the `\n` many editors keep. Task texts are kept up
   * to `budgetChars` characters: the cache holds the pieces of the version
   * serialised last only, so a file larger than the budget has its first
   * tasks cached and the rest serialised on each write.
   */
  serialize(data: TasksFile, trailingNewline: boolean, budgetChars = Infinity): SerializedTasksFile {
    let plain = true;
    let kept = 0;
    const cache = this.cache;
    const serialisation = ++this.serialisations;
    const nest = (value: unknown, indent: string): string => {
      if (plain && !isPlainJson(value)) plain = false;
      return nested(value, indent);
    };
    const pieceOf = (task: object, indent: string): string => {
      const cached = cache.get(task);
      if (cached !== undefined) {
        cached.used = serialisation;
        kept += cached.text.length;
        return cached.text;
      }
      const text = nest(task, indent);
      if (kept + text.length <= budgetChars && Object.isFrozen(task)) {
        cache.set(task, { text, used: serialisation });
        kept += text.length;
      }
      return text;
    };
    const dropUnused = () => {
      for (const [task, entry] of cache) if (entry.used !== serialisation) cache.delete(task);
    };
    const legacy = isLegacyTasksFile(data);
    const taskIndent = legacy ? '    ' : '      ';

    function* tasks(list: unknown[], indent: string): Generator<string> {
      if (list.length === 0) return yield '[]';
      for (let i = 0; i < list.length; i++) {
        yield i === 0 ? `[\n${taskIndent}` : `,\n${taskIndent}`;
        const task = list[i];
        yield typeof task === 'object' && task !== null ? pieceOf(task, taskIndent) : nest(task, taskIndent);
      }
      yield `\n${indent}]`;
    }
    /** A tag's object, or the legacy file: its `tasks` task by task. */
    function* tag(value: Record<string, unknown>, indent: string): Generator<string> {
      yield* object(value, indent, (key, member, inner) => (key === 'tasks' && Array.isArray(member) ? tasks(member, inner) : undefined));
    }
    function* object(
      value: Record<string, unknown>,
      indent: string,
      custom: (key: string, member: unknown, inner: string) => Iterable<string> | undefined,
    ): Generator<string> {
      const inner = indent + '  ';
      let first = true;
      for (const key of Object.keys(value)) {
        const member = value[key];
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
          nest(member, inner); // notes the value JSON drops
          continue;
        }
        yield `${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `;
        first = false;
        yield* custom(key, member, inner) ?? [nest(member, inner)];
      }
      yield first ? '{}' : `\n${indent}}`;
    }
    function* file(): Generator<string> {
      if (!isPlainObject(data)) {
        // Anything JSON.stringify treats specially is left to it.
        plain = false;
        yield JSON.stringify(data, null, 2);
      } else if (legacy) {
        yield* tag(data, '');
      } else {
        yield* object(data, '', (_key, member, inner) => (isPlainObject(member) ? tag(member, inner) : undefined));
      }
      if (trailingNewline) yield '\n';
      dropUnused();
    }

    return { pieces: file(), plain: () => plain };
  }
}

/** JSON.stringify(value, null, 2) as it appears nested at `indent`. */
function nested(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  // Newlines only ever separate members: inside strings they are escaped.
  return indent === '' ? text : text.replaceAll('\n', `\n${indent}`);
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
