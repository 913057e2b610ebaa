import { defineConfig } from 'vite';

// The playground is a static site: `vite build` writes web/dist, which `semigan playground` serves.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: {
    format: 'es',
    // tfjs-wasm starts its threads from the source text of its bundled module factory; the minifier's
    // compression rewrites that text so it no longer runs on its own, and the threaded backend (used in a
    // cross-origin isolated page) never starts. Renaming alone is harmless.
    rolldownOptions: { output: { minify: { mangle: true, compress: false } } },
  },
});
