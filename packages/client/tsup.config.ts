import { defineConfig } from 'tsup';

export default defineConfig({
  // browser.ts: the browser entry (package.json's "browser" condition and ./browser).
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
