import { defineConfig } from 'tsup';
import { oneByteSource } from '../../scripts/one-byte-source.mjs';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  plugins: [oneByteSource()],
});
