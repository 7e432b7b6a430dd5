// A tsup plugin for every bundle we build: no character above U+00FF is left in its text.
//
// V8 keeps the source of every script it loads for as long as the process lives (to compile
// functions lazily, and for Function.prototype.toString), one byte a character when the whole
// text fits in Latin-1 and two bytes otherwise. esbuild's ASCII charset escapes such
// characters in strings and identifiers, but not in the comments it keeps: one em
// dash in a kept comment made V8 hold our protocol's 281 KB bundle as 550 KB, and the store's,
// server's and team sync's likewise, 0.57 MB of every server's heap (heap snapshot, 1k tasks).
//
// What is left (in our bundles, comments' characters only) is escaped as `\uXXXX`, one escape
// per UTF-16 unit: plain text in a comment, the same character in a string or a regular
// expression. Columns after an escape shift in the source map, on that line only.

const ABOVE_LATIN1 = /[^\u0000-\u00ff]/g;
const HAS_ABOVE_LATIN1 = /[^\u0000-\u00ff]/;

/** @returns {{ name: string, renderChunk(code: string): { code: string } | undefined }} */
export function oneByteSource() {
  return {
    name: 'one-byte-source',
    renderChunk(code) {
      if (!HAS_ABOVE_LATIN1.test(code)) return undefined;
      return { code: code.replace(ABOVE_LATIN1, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`) };
    },
  };
}
