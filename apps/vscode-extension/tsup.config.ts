import { defineConfig } from 'tsup';

// One self-contained CommonJS file: VS Code provides `vscode`; everything else
// (client, protocol, zod, ws) is bundled so the .vsix needs no node_modules.
export default defineConfig({
  entry: { extension: 'src/extension.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.js' }),
  platform: 'node',
  target: 'node20',
  // ws loads bufferutil/utf-8-validate optionally (try/require); they stay out.
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
  // Bundle everything else; the lookahead keeps `noExternal` from overriding `external`.
  noExternal: [/^(?!(vscode|bufferutil|utf-8-validate)$).*/],
  minify: true,
  dts: false,
  sourcemap: false,
  clean: true,
});
