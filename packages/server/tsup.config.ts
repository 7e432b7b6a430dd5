import { defineConfig } from 'tsup';
import { libraryBuild } from '../../scripts/library-build.mjs';

export default defineConfig(
  libraryBuild({
    // prepared-frame: for bench/broadcast.bench.mjs, which times it beside ws.send; not in the package's exports.
    entry: ['src/index.ts', 'src/node-flags.ts', 'src/ws/prepared-frame.ts'],
  }),
);
