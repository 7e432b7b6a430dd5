import { relative } from 'node:path';
import { CliError } from './cli-error.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { colorErr, jsonText, note } from './output.js';

/** For a request the protocol refused as such (a field's type or size, a method): what --help explains. */
const OPTIONS_FIX = 'check the command and its options with --help';

/**
 * What to run next, per protocol code, when the error itself does not say. None
 * for 1005: its message always says what to do (a lock to wait for, a mode to
 * change, a disk to free), and one fix for all would be wrong for most. -32602
 * gets one only where it fits: see {@link invalidParamsFix}.
 */
const FIXES: Record<number, string> = {
  1001: "check the server with 'taskmaster sync server status' or start it with 'taskmaster sync server start'",
  1002: 'use the token stored in .taskmaster/config/connection.json',
  1003: OPTIONS_FIX,
  1004: 'update the CLI and the server to the same version',
  1006: "run 'taskmaster show <id>' to see the current version, then retry your change",
  1007: "the server shut down; start it again with 'taskmaster sync server start'",
  [-32603]: 'this is a bug; see .taskmaster/logs/ and report it',
};

/**
 * A tag that does not exist: the message lists those that do. It may be the
 * current tag, renamed or deleted by another program, so switching is offered.
 */
const TAG_NOT_FOUND_FIX = "give one of them with --tag, switch with 'taskmaster use-tag <name>', or create it with 'taskmaster add-tag <name>'";
const NOT_FOUND_FIX = "run 'taskmaster list' (add --tag <tag> for another tag) or 'taskmaster history list' to see what exists";
/** For a tasks.json that cannot be read as a whole (bad JSON, not a tasks file): the command was not at fault. */
/** A snapshot id that names none (a malformed one is told how ids look). */
const SNAPSHOT_FIX = "run 'taskmaster history list' to see the snapshots there are";
const BAD_FILE_FIX = "fix tasks.json at that place, or go back to a snapshot: 'taskmaster history list', then 'taskmaster history restore <id>'";

interface CodedError {
  code: number;
  message: string;
  data?: unknown;
}

/** True for protocol `TaskmasterError`s; checked by shape so this file loads no dependency. */
function isCoded(err: unknown): err is CodedError {
  return (
    err instanceof Error &&
    typeof (err as { code?: unknown }).code === 'number' &&
    (err.name === 'TaskmasterError' || err.name === 'CliError')
  );
}

/**
 * Prints `error: <message> — <fix>` on stderr and returns the exit code. The
 * protocol code is for programs: in `--json` output, and with `--verbose`
 * (`error 1008: …`). A protocol error whose message already names a fix is
 * printed as it is.
 */
export function reportError(err: unknown, { json = false, verbose = false }: { json?: boolean; verbose?: boolean } = {}): ExitCode {
  let code: number;
  let message: string;
  let fix: string | undefined;
  let exitCode: ExitCode;
  let usage: string | undefined;
  let details: string[] = [];
  if (err instanceof CliError) {
    ({ code, message, fix, exitCode, usage, details } = err);
  } else if (isCoded(err)) {
    code = err.code;
    message = err.message;
    fix =
      code === 1008
        ? /^tag "[^"]*" does not exist/.test(message)
          ? TAG_NOT_FOUND_FIX
          : NOT_FOUND_FIX
        : /^tasks\.json(: | is not valid JSON)/.test(message)
          ? BAD_FILE_FIX
          : code === -32602
            ? invalidParamsFix(err)
            : FIXES[code];
    exitCode = exitCodeFor(code);
  } else if (isFileSystemError(err)) {
    code = 1005;
    ({ message, fix } = describeFileSystemError(err));
    exitCode = ExitCode.FileAccess;
  } else if (err instanceof Error && err.name === 'ZodError') {
    code = -32602;
    message = `invalid input: ${summarizeZod(err)}`;
    fix = OPTIONS_FIX;
    exitCode = ExitCode.UserError;
  } else {
    code = -32603;
    message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    fix = FIXES[code];
    exitCode = ExitCode.Internal;
  }
  // A server message that already says what to do (e.g. 'port 5173 is in use — pass --port') keeps its own fix.
  const alreadyHasFix = !(err instanceof CliError) && (message.includes(' — ') || /--[a-z]/.test(message));
  const text = fix && !alreadyHasFix ? `${message} — ${fix}` : message;
  if (json) {
    process.stderr.write(jsonText({ error: { code, message, fix, exitCode } }) + '\n');
  } else {
    note(`${colorErr.red(verbose ? `error ${code}:` : 'error:')} ${text}`);
    for (const line of details) note(`  | ${line}`);
    if (usage) note(`usage: ${usage}`);
  }
  if (exitCode === ExitCode.Internal && process.env.TASKMASTER_DEBUG && err instanceof Error) note(err.stack ?? '');
  return exitCode;
}

/**
 * A -32602 from the server or the store is one of two kinds. The request's
 * shape, which the protocol's schema refused (its `data` lists the `issues`,
 * `changes.title: …`): the command's options are what to check. Or what the
 * request asks of these tasks (a task that would depend on itself, an id that
 * is taken, a tag name in use): its message names the fix when there is one
 * ("give a free id (the next one is 105)"), and --help would not help; a task
 * it names that does not exist gets what `show` gets, a snapshot that does
 * not exist the list of snapshots.
 */
function invalidParamsFix({ message, data }: CodedError): string | undefined {
  if (Array.isArray((data as { issues?: unknown } | undefined)?.issues)) return OPTIONS_FIX;
  if (/ not found in tag "/.test(message)) return NOT_FOUND_FIX;
  if (/^snapshot \S+ not found$/.test(message)) return SNAPSHOT_FIX;
  return undefined;
}

// Not protocol's describeIssue: importing it would load zod for every command, --version included.
function summarizeZod(err: Error): string {
  const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues ?? [];
  if (issues.length === 0) return err.message;
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** A Node file-system error (`code` like `ELOOP`) that reached the top: the user's to fix, not a bug. */
function isFileSystemError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return err instanceof Error && typeof code === 'string' && code in FILE_SYSTEM_CAUSES;
}

/** errno → what happened and what to do. */
const FILE_SYSTEM_CAUSES: Record<string, [string, string]> = {
  ELOOP: ['is a symbolic link, and TaskMaster Sync never writes through one (a cloned repository could point it at your files)', 'remove the link, then run the command again'],
  ENOTDIR: ['is not a folder', 'remove or rename what is there, then run the command again'],
  EACCES: ['cannot be written: permission denied', 'check its owner and mode'],
  EPERM: ['cannot be written: operation not permitted', 'check its owner and mode'],
  EROFS: ['is on a read-only file system', 'remount it read-write or work on a copy'],
  ENOSPC: ['cannot be written: the disk is full', 'free some space and try again'],
  EDQUOT: ['cannot be written: the disk quota is exhausted', 'free some space or raise the quota, then try again'],
};

function describeFileSystemError(err: NodeJS.ErrnoException): { message: string; fix: string } {
  const [cause, fix] = FILE_SYSTEM_CAUSES[err.code!]!;
  const where = err.path ? relative(process.cwd(), err.path) || err.path : 'a file';
  return { message: `${where} ${cause} (${err.code})`, fix };
}
