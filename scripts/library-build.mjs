// How every library package under packages/ builds with tsup: one place for what they share.
import { oneByteSource } from './one-byte-source.mjs';

/**
 * A library's tsup options: `src/index.ts` as ESM and CommonJS for Node 20, with type
 * declarations and source maps, every bundle's text at one byte a character
 * (one-byte-source.mjs). `own` adds to them or replaces them: more entries, dependencies
 * bundled in.
 * @param {import('tsup').Options} [own]
 * @returns {import('tsup').Options}
 */
export function libraryBuild(own = {}) {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    plugins: [oneByteSource()],
    ...own,
  };
}
