// A tsup plugin for every bundle we build: no character above U+00FF is left in its text.
//
// V8 keeps the source of every script it loads for as long as the process lives (to compile
// functions lazily, and for Function.prototype.toString), one byte a character when the whole
// text fits in Latin-1 and two bytes otherwise. esbuild's ASCII charset escapes such
// characters in strings and identifiers, but not in the comments it keeps: one em dash in a
// kept comment made V8 hold our protocol's 281 KB bundle as 550 KB, and the store's, server's
// and team sync's likewise; 590 KB of every server's memory (heap snapshot at 1k tasks).
//
// Whatever is left is escaped as `\uXXXX`, one escape per UTF-16 unit: in a comment that is
// text, and in a string, template or regular expression (should esbuild ever leave one there)
// it means the same character. Columns after an escape on the same line shift in the source
// map, which only comments' lines have.

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
