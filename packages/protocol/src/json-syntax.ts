/**
 * Where and why a JSON text is invalid. V8's own messages quote the text
 * around the error (task contents we must not echo) and often omit the
 * position, so failures are located with this small scanner instead.
 */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  offset: number;
  reason: string;
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const scanner = new Scanner(text);
  const offset = scanner.run();
  return offset === undefined ? undefined : { ...lineColumn(text, offset), offset, reason: scanner.reason };
}

/** 1-based line and column of `offset`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

/** Iterative so a deeply nested file cannot overflow the stack. */
class Scanner {
  private i = 0;
  reason = '';
  constructor(private readonly s: string) {}

  /** The offset of the first error, or undefined when the text is valid. */
  run(): number | undefined {
    const stack: string[] = [];
    let expectValue = true;
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    for (;;) {
      this.skipWs();
      const c = this.s[this.i];
      if (expectValue) {
        if (c === '{' || c === '[') {
          this.i++;
          this.skipWs();
          if (this.s[this.i] === (c === '{' ? '}' : ']')) {
            this.i++;
            expectValue = false;
          } else {
            stack.push(c);
            if (c === '{' && !this.key()) return this.i;
          }
        } else if (!this.scalar()) {
          return this.i;
        } else {
          expectValue = false;
        }
        continue;
      }
      const top = stack[stack.length - 1];
      if (top === undefined) return c === undefined ? undefined : this.fail('unexpected text after the end of the JSON value');
      if (c === ',') {
        this.i++;
        if (top === '{' && !this.key()) return this.i;
        expectValue = true;
      } else if (c === (top === '{' ? '}' : ']')) {
        this.i++;
        stack.pop();
      } else {
        return this.fail(c === undefined ? 'unexpected end of input' : `expected ',' or '${top === '{' ? '}' : ']'}' but found ${describe(c)}`);
      }
    }
  }

  private scalar(): boolean {
    const c = this.s[this.i];
    if (c === '"') return this.string();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return true;
      }
    }
    NUMBER.lastIndex = this.i;
    if (NUMBER.test(this.s)) {
      this.i = NUMBER.lastIndex;
      return true;
    }
    this.fail(c === undefined ? 'unexpected end of input' : `unexpected ${describe(c)}`);
    return false;
  }

  /** A property name and its colon. */
  private key(): boolean {
    this.skipWs();
    if (this.s[this.i] !== '"') {
      this.fail(this.i >= this.s.length ? 'unexpected end of input' : 'expected a property name in double quotes');
      return false;
    }
    if (!this.string()) return false;
    this.skipWs();
    if (this.s[this.i] !== ':') {
      this.fail("expected ':' after a property name");
      return false;
    }
    this.i++;
    return true;
  }

  private string(): boolean {
    STRING_BODY.lastIndex = this.i + 1;
    STRING_BODY.test(this.s);
    const end = STRING_BODY.lastIndex;
    this.i = end;
    if (this.s[end] === '"') {
      this.i++;
      return true;
    }
    this.fail(end >= this.s.length ? 'unterminated string' : 'invalid character or escape in a string');
    return false;
  }

  private skipWs(): void {
    while (WS.has(this.s[this.i]!)) this.i++;
  }

  private fail(reason: string): number {
    this.reason = reason;
    return this.i;
  }
}

function describe(c: string): string {
  return c === '"' ? 'a quote' : /[\w{}[\]:,]/.test(c) ? `'${c}'` : `character U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
