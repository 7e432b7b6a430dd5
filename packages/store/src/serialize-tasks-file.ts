import { isLegacyTasksFile, type TasksFile } from '@taskmaster/protocol';

/**
 * Writes tasks files as Task Master does (`JSON.stringify(data, null, 2)`),
 * as a list of pieces whose concatenation is exactly that text. Each task is
 * one piece, and the piece of a frozen task object is remembered: with
 * copy-on-write versions, an update re-serialises only the tasks it touched.
 */
export class TasksFileSerializer {
  /** Task object → its text at its depth in the file. Only frozen objects, which cannot change, are kept. */
  private readonly pieces = new WeakMap<object, string>();

  /**
   * The pieces of the file's text; `trailingNewline` adds the `\n` many
   * editors keep at the end. `plain` is false when the data holds values JSON
   * turns into something else (a Date, NaN, an undefined member): then
   * reading the file back does not give `data`.
   */
  serialize(data: TasksFile, trailingNewline: boolean): { pieces: string[]; plain: boolean } {
    this.plain = true;
    const out: string[] = [];
    const taskIndent = isLegacyTasksFile(data) ? '    ' : '      ';
    const nest = (value: unknown, indent: string) => this.nested(value, indent);
    const plain = writeObject(out, data, '', nest, (key, value, indent) => {
      if (isLegacyTasksFile(data)) return key === 'tasks' ? this.writeTasks(out, value, indent, taskIndent) : false;
      return isPlainObject(value) && writeObject(out, value, indent, nest, (k, v, i) => k === 'tasks' && this.writeTasks(out, v, i, taskIndent));
    });
    // Anything JSON.stringify would treat specially (toJSON, a class, a cycle's error) is left to it.
    if (!plain) return { pieces: [JSON.stringify(data, null, 2) + (trailingNewline ? '\n' : '')], plain: false };
    if (trailingNewline) out.push('\n');
    return { pieces: out, plain: this.plain };
  }

  /** Whether every value serialised since `serialize` began was plain JSON. */
  private plain = true;

  /** JSON.stringify(value, null, 2) as it appears nested at `indent`, noting values that are not plain JSON. */
  private nested(value: unknown, indent: string): string {
    if (this.plain && !isPlainJson(value)) this.plain = false;
    return nested(value, indent);
  }

  private writeTasks(out: string[], tasks: unknown, indent: string, taskIndent: string): boolean {
    if (!Array.isArray(tasks) || indent + '  ' !== taskIndent) return false;
    if (tasks.length === 0) {
      out.push('[]');
      return true;
    }
    out.push('[');
    for (let i = 0; i < tasks.length; i++) {
      out.push(i === 0 ? `\n${taskIndent}` : `,\n${taskIndent}`);
      const task: unknown = tasks[i];
      out.push(typeof task === 'object' && task !== null ? this.pieceOf(task, taskIndent) : this.nested(task, taskIndent));
    }
    out.push(`\n${indent}]`);
    return true;
  }

  private pieceOf(task: object, indent: string): string {
    const cached = this.pieces.get(task);
    if (cached !== undefined) return cached;
    const text = this.nested(task, indent);
    if (Object.isFrozen(task)) this.pieces.set(task, text);
    return text;
  }
}

/**
 * Writes the object `value` at `indent` the way JSON.stringify(…, null, 2)
 * does, letting `custom` write a member's value (it returns false to decline).
 * Returns false, having written garbage, if `value` is not a plain object.
 */
function writeObject(
  out: string[],
  value: unknown,
  indent: string,
  nest: (member: unknown, indent: string) => string,
  custom: (key: string, member: unknown, indent: string) => boolean,
): boolean {
  if (!isPlainObject(value)) return false;
  const inner = indent + '  ';
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
      nest(member, inner); // notes the value JSON drops
      continue;
    }
    out.push(`${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `);
    first = false;
    if (!custom(key, member, inner)) out.push(nest(member, inner));
  }
  out.push(first ? '{}' : `\n${indent}}`);
  return true;
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
