import { defineConfig } from 'tsup';
import { libraryBuild } from '../../scripts/library-build.mjs';

export default defineConfig(
  libraryBuild({
    // browser.ts: the browser entry (package.json's "browser" condition and ./browser).
    entry: ['src/index.ts', 'src/browser.ts'],
  }),
);
