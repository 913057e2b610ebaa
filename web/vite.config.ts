import { defineConfig } from 'vite';

// The playground is a static site: `vite build` writes web/dist, which `semigan playground` serves.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
});
