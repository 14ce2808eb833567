import { defineConfig } from 'vite';

// One Vite config serves the demo page (`npm start`) and the headless-Chrome harness,
// which imports the project's TypeScript and `.wgsl?raw` shaders straight from `src/`.
export default defineConfig({
  server: { host: '127.0.0.1', strictPort: false },
  preview: { host: '127.0.0.1' },
  optimizeDeps: { include: ['wgsl-preprocessor/wgsl-preprocessor.js'], entries: ['index.html', 'harness.html'] },
  build: { target: 'es2022' },
});
