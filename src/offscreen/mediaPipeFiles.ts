import { FilesetResolver } from '@mediapipe/tasks-vision';

/** Where the bundled MediaPipe wasm is, relative to the extension's root (vite.config.ts puts it there). */
const WASM_FOLDER = 'wasm/mediapipe';

/** MediaPipe's wasm, as its tasks take it. */
export type MediaPipeWasm = Awaited<ReturnType<typeof FilesetResolver.forVisionTasks>>;

/**
 * MediaPipe's wasm and the model at `path`, both from the extension's own files (`resolveUrl` maps a path
 * to its URL); a model that cannot be read fails with `what` and the path named.
 */
export async function mediaPipeFiles(resolveUrl: (path: string) => string, path: string, what: string): Promise<{ wasm: MediaPipeWasm; model: Uint8Array }> {
  const wasm = await FilesetResolver.forVisionTasks(resolveUrl(WASM_FOLDER));
  const response = await fetch(resolveUrl(path));
  if (!response.ok) throw new Error(`${what} ${path}: ${response.status} ${response.statusText}`);
  return { wasm, model: new Uint8Array(await response.arrayBuffer()) };
}
