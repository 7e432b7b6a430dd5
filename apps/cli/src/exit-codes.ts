/**
 * The process exit codes of `taskmaster`, documented in `--help` and the README.
 * Scripts branch on these, so they never change meaning.
 */
export const ExitCode = {
  Ok: 0,
  /** Bad arguments, unknown task, invalid input, port in use. */
  UserError: 1,
  /** A sync conflict (protocol error 1006). */
  Conflict: 2,
  /** No sync server running, or it cannot be reached. */
  ServerUnreachable: 3,
  /** The tasks file is locked or cannot be read/written (protocol error 1005). */
  FileAccess: 4,
  /** A bug: please report it. */
  Internal: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for a protocol error code. */
export function exitCodeFor(code: number): ExitCode {
  switch (code) {
    case 1006:
      return ExitCode.Conflict;
    case 1005:
      return ExitCode.FileAccess;
    case 1001:
    case 1002:
    case 1007:
      return ExitCode.ServerUnreachable;
    case -32603:
      return ExitCode.Internal;
    default:
      return ExitCode.UserError;
  }
}

/** The exit-code table as printed by `--help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  user error: bad arguments, task not found, invalid input, port in use
  2  sync conflict (error 1006)
  3  sync server not running or unreachable (errors 1001, 1002, 1007)
  4  tasks file locked or not accessible (error 1005)
  5  internal error (please report it)`;
