import { defineConfig } from 'tsup';
import { oneByteSource } from '../../scripts/one-byte-source.mjs';

export default defineConfig({
  // browser.ts: the browser entry (package.json's "browser" condition and ./browser).
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  plugins: [oneByteSource()],
});
