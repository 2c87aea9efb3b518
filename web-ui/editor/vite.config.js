import { defineConfig } from 'vite'

// The bundle goes where Maven packs resources: the server serves classpath /web at /.
export default defineConfig({
  base: './',
  build: {
    outDir: 'target/classes/web',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  test: {
    include: ['test/**/*.test.js'],
  },
})
