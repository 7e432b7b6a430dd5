import { ERROR_CODES, errorCodeRow, ExitCode } from '@taskmaster/protocol';

export { ExitCode } from '@taskmaster/protocol';

/** The exit code for a protocol error code: the protocol's table decides. */
export function exitCodeFor(code: number): ExitCode {
  return errorCodeRow(code).exit;
}

/** The exit-code table as printed by `--help`, with the protocol codes that lead to each. */
export const EXIT_CODES_HELP = (() => {
  const codesFor = (exit: ExitCode) =>
    Object.entries(ERROR_CODES)
      .filter(([code, row]) => row.exit === exit && Number(code) > 0)
      .map(([code]) => code)
      .join(', ');
  return `Exit codes:
  0  ok
  1  user error: bad arguments, task or tag not found (1008), invalid input, port in use
  2  sync conflict (error ${codesFor(ExitCode.Conflict)})
  3  sync server not running or unreachable (errors ${codesFor(ExitCode.ServerUnreachable)})
  4  tasks file locked or not accessible (error ${codesFor(ExitCode.FileAccess)})
  5  internal error (please report it)`;
})();
