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

/**
 * The colour codes {@link painter} writes, then each character a terminal
 * would act on instead of showing: C0 controls but tab and newline, DEL, C1
 * controls (U+009B is a CSI of its own), and the bidirectional overrides
 * that make text read otherwise than it is stored.
 */
const TERMINAL_CONTROLS = /\u001b\[(?:1|2|22|31|32|33|36|39)m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` as it may reach a terminal. A tasks file is untrusted input (a
 * cloned repository's): a title holding escape sequences would otherwise set
 * the terminal's title, write its clipboard (OSC 52), clear the screen, or
 * hide a warning behind a carriage return. Each control character shows
 * escaped (`\u001b`), but for the colours this CLI paints itself.
 */
export function terminalText(text: string): string {
  // A Windows line end is a line end: only a carriage return on its own can hide what came before it.
  return text.replace(/\r\n/g, '\n').replace(TERMINAL_CONTROLS, (m) => (m.length > 1 ? m : escaped(m)));
}

/**
 * JSON for stdout or stderr: JSON.stringify escapes C0 controls but leaves
 * C1 controls and the bidirectional overrides raw; escaped as well, the
 * text is the same JSON value and safe on a terminal.
 */
export function jsonText(value: unknown, indent?: number): string {
  return String(JSON.stringify(value, null, indent)).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, escaped);
}

/** Prints a line to stdout. */
export function say(text = ''): void {
  if (!silent) process.stdout.write(terminalText(text) + '\n');
}

/** Prints a line to stderr (progress, notes, `--verbose`). */
export function note(text: string): void {
  process.stderr.write(terminalText(text) + '\n');
}

/** Prints a value as JSON on stdout. */
export function printJson(value: unknown): void {
  if (!silent) process.stdout.write(jsonText(value, 2) + '\n');
}

