import { cpSync, existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { oneByteSource } from '../../scripts/one-byte-source.mjs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The published version, fixed at build time (changesets bump package.json).
const define = { __CLI_VERSION__: JSON.stringify(version) };

/**
 * The board's build (apps/board/dist; turbo builds it first) is copied into dist/board, where
 * `taskmaster board` and every server the CLI starts find it. The CLI never imports its code.
 */
async function copyBoard(): Promise<void> {
  const from = new URL('../board/dist/', import.meta.url);
  if (!existsSync(new URL('index.html', from))) {
    console.warn('apps/board/dist is missing: this CLI will have no board (pnpm --filter @taskmaster/board build, then build again)');
    return;
  }
  cpSync(from, new URL('./dist/board/', import.meta.url), { recursive: true });
}

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
    plugins: [oneByteSource()],
    onSuccess: copyBoard,
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
    // ws loads these optional native helpers with try/require, and pg its optional pg-native; they stay out. So does qrcode-terminal
    // (sloppy-mode code esbuild cannot bundle): `board --host` prints no QR code from this bundle.
    external: ['bufferutil', 'utf-8-validate', 'qrcode-terminal', 'pg-native'],
    // Bundle everything else; the lookahead keeps `noExternal` from overriding `external`.
    noExternal: [/^(?!(bufferutil|utf-8-validate|qrcode-terminal|pg-native)$).*/],
    define,
  },
]);
