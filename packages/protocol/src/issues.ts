import { ErrorCode, TaskmasterError } from './errors.js';

/** The part of a zod issue we report: where and what (zod itself is not needed to read it). */
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

/** The issues of a ZodError (or anything shaped like one), else undefined. */
export function issuesOf(err: unknown): IssueLike[] | undefined {
  const issues = (err as { issues?: unknown } | null)?.issues;
  return Array.isArray(issues) ? (issues as IssueLike[]) : undefined;
}

/**
 * An InvalidParams (-32602) error from zod issues. The message names the first
 * bad path (prefixed by `where`, e.g. `config/sync.json: `) and counts the rest.
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

/** -32602 for params a method's schema refused: every issue with its path, the first five in the message. */
export function invalidMethodParams(method: string, issues: readonly IssueLike[]): TaskmasterError {
  const list = issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message, code: i.code }));
  const summary = issues.slice(0, 5).map(describeIssue).join('; ');
  return new TaskmasterError(ErrorCode.InvalidParams, `invalid params for "${method}": ${summary}`, { issues: list });
}
