import { defaultClientConditions, defineConfig } from 'vite';

/** Threads in onnxruntime-web need SharedArrayBuffer, which needs a cross-origin-isolated page. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const port = Number(process.env.PORT ?? 5173);

export default defineConfig({
  // onnxruntime-web's build that keeps its wasm loader in separate files (served from /assets/ort/):
  // its thread workers must load that loader, not our worker bundle.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  server: { port, strictPort: true, headers: isolation },
  preview: { port, strictPort: true, headers: isolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
});
