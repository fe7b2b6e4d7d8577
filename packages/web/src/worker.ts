/// <reference lib="webworker" />
// Runs the whole pipeline off the main thread, on onnxruntime-web: WebGPU where the browser has it,
// else WASM with SIMD and threads. Every model and wasm file comes from this app's own origin.
import * as ort from 'onnxruntime-web/webgpu';
import { EMOJI_SETS, Emoface, type Frame } from '@emoface/core';
import type { FromWorker, Settings, ToWorker } from './messages.js';

const scope: DedicatedWorkerGlobalScope = globalThis as typeof globalThis & DedicatedWorkerGlobalScope;
let pipeline: Emoface | undefined;
let canvas: OffscreenCanvas | undefined;

function post(message: FromWorker): void {
  scope.postMessage(message);
}

async function bytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function webGpuAvailable(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

function apply(settings: Settings): void {
  if (!pipeline) return;
  const set = EMOJI_SETS[settings.emojiSet];
  if (set) pipeline.emojiSet = set;
  pipeline.mode = settings.mode;
  pipeline.setTrackerOptions({ scoreTimeConstantMs: settings.smoothingMs });
}

async function init(detector: 'front' | 'back', settings: Settings): Promise<void> {
  ort.env.wasm.numThreads = scope.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  ort.env.wasm.wasmPaths = '/assets/ort/';
  ort.env.logLevel = 'error';
  const gpu = await webGpuAvailable();
  const executionProviders = gpu ? ['webgpu', 'wasm'] : ['wasm'];
  const [detectorBytes, expression, metadata] = await Promise.all([
    bytes(`/assets/blazeface/face_detection_${detector === 'front' ? 'front_128x128' : 'back_256x256'}.onnx`),
    bytes('/assets/models/expression.onnx'),
    fetch('/assets/models/expression.json').then((r) => r.text()),
  ]);
  const sessionOptions = { executionProviders, graphOptimizationLevel: 'all' as const, logSeverityLevel: 3 as const };
  pipeline = await Emoface.create(ort, { detector: detectorBytes, expression, metadata }, {
    detector: { model: detector, sessionOptions, maxFaces: 10 },
    classifier: { sessionOptions },
  });
  apply(settings);
  const threads = ort.env.wasm.numThreads ?? 1;
  post({ type: 'ready', backend: gpu ? 'WebGPU (WASM fallback)' : `WASM SIMD, ${threads} thread${threads === 1 ? '' : 's'}` });
}

function pixels(bitmap: ImageBitmap): Frame {
  if (!canvas || canvas.width !== bitmap.width || canvas.height !== bitmap.height) canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return { data, width: canvas.width, height: canvas.height };
}

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === 'init') await init(message.detector, message.settings);
    else if (message.type === 'settings') apply(message.settings);
    else if (message.type === 'frame') {
      if (!pipeline) throw new Error('the models are not loaded yet');
      const start = performance.now();
      const frame = pixels(message.bitmap);
      const transfer = performance.now() - start;
      const result = message.still ? await pipeline.analyze(frame) : await pipeline.processFrame(frame, message.timestampMs);
      post({ type: 'result', faces: result.faces, stageMs: { ...result.stageMs, transfer }, timestampMs: message.timestampMs,
        width: frame.width, height: frame.height });
    }
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
