import { defineConfig } from 'vite';

// No React plugin: esbuild compiles TSX (react-jsx from tsconfig); fast refresh is not needed for a production build.
export default defineConfig({
  base: '/',
  build: {
    // The hub serves this directory (see packages/hub/src/http/console-static.ts).
    outDir: 'dist/web',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npx vite` in this package against a hub on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080', '/docs': 'http://127.0.0.1:8080' },
  },
});
