/** Where and why a text is not JSON. Lines and columns start at 1. */
export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * Finds the first syntax error in `text`, or undefined when it is valid JSON.
 *
 * V8's JSON.parse messages often carry no position and quote the input (task
 * contents must not reach logs), so the position is found by a scan of our own,
 * run only after JSON.parse has failed.
 */
export function locateJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const stop = (reason: string): never => {
    throw new Stop(i, i >= text.length ? 'unexpected end of input (the file looks cut short)' : reason);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (ch: string, reason: string) => {
    space();
    if (text[i] !== ch) stop(reason);
    i++;
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) stop('');
      const ch = text[i]!;
      if (ch === '"') return void i++;
      if (ch === '\\') {
        const esc = text[++i];
        if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else if (esc === 'u' && ((HEX4.lastIndex = i + 1), HEX4.test(text))) i += 5;
        else stop('invalid escape sequence in a string');
      } else if (ch.charCodeAt(0) < 0x20) stop('unescaped control character in a string');
      else i++;
    }
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{') return members('}', () => {
      space();
      if (text[i] !== '"') stop('expected a property name in double quotes');
      string();
      expect(':', "expected ':' after a property name");
      value();
    });
    if (ch === '[') return members(']', value);
    if (ch === '"') return string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) stop('invalid number');
      i = NUMBER.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    stop('unexpected character');
  };
  const members = (close: string, member: () => void) => {
    i++; // opening bracket
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') stop(`expected ',' or '${close}'`);
      i++;
    }
  };
  try {
    value();
    space();
    if (i < text.length) stop('unexpected content after the end of the JSON value');
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) return undefined; // e.g. nesting too deep for the stack
    return { offset: err.offset, reason: err.reason, ...lineAndColumn(text, err.offset) };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
