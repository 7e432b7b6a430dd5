import { defineConfig } from 'tsup';
import { oneByteSource } from '../../scripts/one-byte-source.mjs';

export default defineConfig({
  // prepared-frame: for bench/broadcast.bench.mjs, which times it beside ws.send; not in the package's exports.
  entry: ['src/index.ts', 'src/node-flags.ts', 'src/ws/prepared-frame.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  plugins: [oneByteSource()],
});
