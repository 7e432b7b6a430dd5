import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { flag, str, type ParsedArgs } from './command.js';
import { CliError, CliErrorCode, usageError } from './cli-error.js';
import { LEGACY_TOKEN_ENV, TOKEN_ENV } from './daemon.js';
import { ExitCode } from './exit-codes.js';
import { colorErr, note } from './output.js';

/**
 * The token `sync server start` was given: `--token-file`, else `--token`, else
 * `$TASKMASTER_TOKEN` (or the older `$TASKMASTER_SYNC_TOKEN`); undefined leaves
 * it to the server (sync.json's token, else a generated one). `--token` still
 * works but warns: every local user can read a process's argv.
 */
export function tokenOption(args: ParsedArgs, usage: string): string | undefined {
  const file = str(args, 'token-file');
  const given = str(args, 'token');
  if (file !== undefined && given !== undefined) throw usageError('--token and --token-file cannot be used together', usage);
  let token: string | undefined;
  if (file !== undefined) token = readTokenFile(file, usage);
  else if (given !== undefined) {
    warn(`--token puts the token on the command line, which every user of this machine can read (ps, /proc/<pid>/cmdline); use --token-file <file> or $${TOKEN_ENV} instead`);
    token = given;
  } else token = process.env[TOKEN_ENV] || process.env[LEGACY_TOKEN_ENV] || undefined;
  if (token !== undefined && flag(args, 'generate-token')) {
    throw usageError('a token (--token, --token-file or $TASKMASTER_TOKEN) and --generate-token cannot be used together', usage);
  }
  if (token !== undefined && token.length < 16) {
    throw usageError('the token must be at least 16 characters long', usage, 'use --generate-token for a strong one');
  }
  return token;
}

/** The token in `file`, without its trailing newline; warns when others may read the file. */
function readTokenFile(file: string, usage: string): string {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new CliError(
      CliErrorCode.InvalidParams,
      `cannot read the --token-file file ${absolute}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'pass a readable file holding the token',
      { exitCode: ExitCode.UserError },
    );
  }
  // Windows has no POSIX modes to check.
  const mode = process.platform === 'win32' ? 0 : statSync(absolute).mode & 0o777;
  if (mode & 0o044) {
    warn(`${absolute} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 on it`);
  }
  const token = text.replace(/[\r\n]+$/, '');
  if (token === '') throw usageError(`the --token-file file ${absolute} is empty`, usage);
  return token;
}

function warn(text: string): void {
  note(`${colorErr.yellow('warning:')} ${text}`);
}
