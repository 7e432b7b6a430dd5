import { spawn } from 'node:child_process';

/**
 * Opens `url` in the user's browser: `$BROWSER` when set, else the
 * platform's opener. Always an argument array, never a shell string, so
 * nothing in the URL is ever interpreted by a shell.
 */
export function openUrl(url: string, onFailure: (why: string) => void): void {
  const [command, args] = opener(url);
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', (err) => onFailure(`${command}: ${err.message}`));
    child.unref();
  } catch (err) {
    onFailure(`${command}: ${(err as Error).message}`);
  }
}

function opener(url: string): [string, string[]] {
  const browser = process.env.BROWSER;
  if (browser) return [browser, [url]];
  if (process.platform === 'darwin') return ['open', [url]];
  // rundll32 opens the default browser without cmd.exe (whose `start` would parse the URL).
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}
