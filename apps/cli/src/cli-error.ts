import { ExitCode, exitCodeFor } from './exit-codes.js';

/** Protocol codes the CLI uses for its own errors (numbers from @taskmaster/protocol's ErrorCode). */
export const CliErrorCode = {
  ConnectionFailed: 1001,
  FileAccessDenied: 1005,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/**
 * An error the CLI reports and exits on: a protocol code, a message, and a fix
 * the user can run. `usage` adds the command's usage line to the report.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;
  constructor(
    readonly code: number,
    message: string,
    readonly fix?: string,
    options: { exitCode?: ExitCode; usage?: string; details?: string[] } = {},
  ) {
    super(message);
    this.exitCode = options.exitCode ?? exitCodeFor(code);
    this.usage = options.usage;
    this.details = options.details ?? [];
  }
  readonly usage: string | undefined;
  /** Lines printed under the error, e.g. the end of a log. */
  readonly details: string[];
}

/** Bad arguments: exit 1 with the usage line. */
export function usageError(message: string, usage: string, fix = 'see --help for options and examples'): CliError {
  return new CliError(CliErrorCode.InvalidParams, message, fix, { exitCode: ExitCode.UserError, usage });
}

/** No sync server: exit 3 with how to start one. */
export function notRunningError(what = 'no sync server is running for this project'): CliError {
  return new CliError(CliErrorCode.ConnectionFailed, what, "start one with 'taskmaster sync server start'", {
    exitCode: ExitCode.ServerUnreachable,
  });
}
