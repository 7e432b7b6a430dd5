import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';

/** The part of a zod issue we report: where and what. */
export interface IssueLike {
  code?: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  keys?: readonly string[];
}

/** `['master', 'tasks', 3, 'title']` → `master.tasks[3].title`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** One issue as `path: problem`, with zod's boilerplate trimmed. */
export function describeIssue(issue: IssueLike): string {
  const at = formatIssuePath(issue.path);
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const keys = issue.keys.map((k) => (at ? `${at}.${k}` : k));
    return `${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''}`;
  }
  let problem = issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
  if (/received undefined$/.test(problem)) problem = 'is required';
  return at ? `${at}: ${problem}` : problem;
}

/**
 * An InvalidParams error from zod issues. The message names the first bad
 * path (prefixed by `where`, e.g. `config/sync.json: `) and counts the rest.
 */
export function invalidFromIssues(issues: readonly IssueLike[], where = ''): TaskmasterError {
  const first = issues[0];
  const head = first ? describeIssue(first) : 'invalid value';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new TaskmasterError(ErrorCode.InvalidParams, `${where}${head}${more}`, {
    path: first ? formatIssuePath(first.path) : '',
    issues: issues.length,
  });
}

/** An InvalidParams error with a message and optional data. */
export function invalidParams(message: string, data?: unknown): TaskmasterError {
  return new TaskmasterError(ErrorCode.InvalidParams, message, data);
}

const ACCESS_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * A TaskmasterError for a failed file-system call: 1005 when the system
 * refused access, 1005 too for other errno failures, naming the file and the
 * errno so the user knows what to fix. TaskmasterErrors pass through.
 */
export function fileError(err: unknown, action: string, file: string): TaskmasterError {
  if (err instanceof TaskmasterError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && ACCESS_CODES.has(code)) {
    const why = code === 'EROFS' ? 'the file system is read-only' : 'permission denied';
    return new TaskmasterError(ErrorCode.FileAccessDenied, `cannot ${action} ${file}: ${why} (${code})`, { file, errno: code });
  }
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  return new TaskmasterError(ErrorCode.FileAccessDenied, `cannot ${action} ${file} (${detail})`, { file, errno: code });
}
