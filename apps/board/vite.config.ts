import { defineConfig } from 'vite';

// One config for the browser and the VS Code webview: relative asset URLs
// (the webview serves them from its own resource origin), nothing inlined
// (a strict CSP allows only files from 'self'), hashed names (cached forever).
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    emptyOutDir: true,
  },
});
