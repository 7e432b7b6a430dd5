import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The published version, fixed at build time (changesets bump package.json).
const define = { __CLI_VERSION__: JSON.stringify(version) };

export default defineConfig([
  {
    entry: ['src/bin.ts'],
    format: ['esm'],
    dts: false,
    sourcemap: true,
    // Everything but the standalone bundle below, which its own build writes meanwhile.
    clean: ['!standalone/**'],
    target: 'node20',
    // Each command is its own chunk, so `list` never loads the server's code.
    splitting: true,
    banner: { js: '#!/usr/bin/env node' },
    // Our packages, zod and immer are bundled (one copy of each, shared by the chunks):
    // resolving and loading them as separate packages cost more start-up time than
    // all of `list`'s work. Third-party packages stay external dependencies.
    noExternal: [/^@taskmaster\//, 'zod', 'immer'],
    define,
  },
  {
    // The whole CLI in one CommonJS file with every dependency inside (fastify, chokidar,
    // ws, proper-lockfile, zod, …): runs with any node >= 20, or an editor's own binary
    // with ELECTRON_RUN_AS_NODE=1, from any folder and with no node_modules. The VS Code
    // extension ships it (copied into its dist/ by its build) for machines without the CLI.
    entry: { taskmaster: 'src/bin.ts' },
    outDir: 'dist/standalone',
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: true,
    splitting: false,
    minify: true,
    banner: { js: '#!/usr/bin/env node' },
    // ws loads these optional native helpers with try/require; they stay out.
    external: ['bufferutil', 'utf-8-validate'],
    // Bundle everything else; the lookahead keeps `noExternal` from overriding `external`.
    noExternal: [/^(?!(bufferutil|utf-8-validate)$).*/],
    define,
  },
]);
