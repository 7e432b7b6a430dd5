/**
 * Terminal output: colours only on a TTY without NO_COLOR, JSON in one place.
 */
type Paint = (text: string) => string;

function painter(stream: NodeJS.WriteStream): Record<'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan', Paint> {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  const sgr = (open: number, close: number): Paint => (t) => (on ? `\u001b[${open}m${t}\u001b[${close}m` : t);
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** Colours for stdout. */
export const color = painter(process.stdout);
/** Colours for stderr. */
export const colorErr = painter(process.stderr);

let silent = false;

/** `--silent` (Task Master's): from now on {@link say} and {@link printJson} print nothing. Errors still reach stderr. */
export function silence(): void {
  silent = true;
}

/** Prints a line to stdout. */
export function say(text = ''): void {
  if (!silent) process.stdout.write(text + '\n');
}

/** Prints a line to stderr (progress, notes, `--verbose`). */
export function note(text: string): void {
  process.stderr.write(text + '\n');
}

/** Prints a value as JSON on stdout. */
export function printJson(value: unknown): void {
  if (!silent) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

