// How the browser builds emoface's pipeline and feeds it pixels: shared by the app's worker and the
// browser benchmark, so the benchmark measures exactly what the app runs.
import type * as OrtWeb from 'onnxruntime-web/webgpu';
import { Emoface, type BlazeFaceModel, type Frame } from '@emoface/core';

async function bytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Whether the browser offers a WebGPU adapter. */
export async function webGpuAvailable(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/**
 * The pipeline on onnxruntime-web: WebGPU where the browser has an adapter, else WASM with SIMD and, when
 * the page is cross-origin isolated, a thread per core but one (up to 4): that core is left to the page
 * for video and drawing (on 2 cores one thread measured as fast as two). Models and wasm files come
 * from this origin's /assets/. Returns the pipeline and a description of the backend.
 */
export async function createBrowserPipeline(ort: typeof OrtWeb, detector: BlazeFaceModel): Promise<{ pipeline: Emoface; backend: string }> {
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 1) - 1)) : 1;
  ort.env.wasm.wasmPaths = '/assets/ort/';
  ort.env.logLevel = 'error';
  const gpu = await webGpuAvailable();
  const executionProviders = gpu ? ['webgpu', 'wasm'] : ['wasm'];
  const [detectorBytes, expression, metadata] = await Promise.all([
    bytes(`/assets/blazeface/face_detection_${detector === 'front' ? 'front_128x128' : 'back_256x256'}.onnx`),
    bytes('/assets/models/expression.onnx'),
    fetch('/assets/models/expression.json').then((r) => r.text()),
  ]);
  const sessionOptions = { executionProviders };
  const pipeline = await Emoface.create(ort, { detector: detectorBytes, expression, metadata }, {
    detector: { model: detector, sessionOptions, maxFaces: 10 },
    classifier: { sessionOptions },
  });
  const threads = ort.env.wasm.numThreads ?? 1;
  return { pipeline, backend: gpu ? 'WebGPU (WASM fallback)' : `WASM SIMD, ${threads} thread${threads === 1 ? '' : 's'}` };
}

/** RGBA pixels of `image`, drawn through `canvas` (resized to fit). */
export function framePixels(image: CanvasImageSource & { width: number; height: number }, canvas: OffscreenCanvas): Frame {
  if (canvas.width !== image.width || canvas.height !== image.height) {
    canvas.width = image.width;
    canvas.height = image.height;
  }
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(image, 0, 0);
  return { data: ctx.getImageData(0, 0, canvas.width, canvas.height).data, width: canvas.width, height: canvas.height };
}
