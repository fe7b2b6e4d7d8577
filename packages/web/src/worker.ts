/// <reference lib="webworker" />
// Runs the whole pipeline off the main thread, on onnxruntime-web: WebGPU where the browser has it,
// else WASM with SIMD and threads. Every model and wasm file comes from this app's own origin.
import * as ort from 'onnxruntime-web/webgpu';
import { EMOJI_SETS, type BlazeFaceModel, type Emoface } from '@emoface/core';
import { createBrowserPipeline, framePixels } from './browserPipeline.js';
import type { FromWorker, Settings, ToWorker } from './messages.js';

const scope: DedicatedWorkerGlobalScope = globalThis as typeof globalThis & DedicatedWorkerGlobalScope;
let pipeline: Emoface | undefined;
const canvas = new OffscreenCanvas(1, 1);

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function apply(settings: Settings): void {
  if (!pipeline) return;
  const set = EMOJI_SETS[settings.emojiSet];
  if (set) pipeline.emojiSet = set;
  pipeline.mode = settings.mode;
  pipeline.setTrackerOptions({ scoreTimeConstantMs: settings.smoothingMs });
}

/** Loads the models, or switches to another detector (frames that arrive meanwhile are answered with an error). */
async function init(detector: BlazeFaceModel, settings: Settings): Promise<void> {
  const previous = pipeline;
  pipeline = undefined;
  await previous?.dispose();
  const loaded = await createBrowserPipeline(ort, detector);
  pipeline = loaded.pipeline;
  apply(settings);
  post({ type: 'ready', backend: loaded.backend });
}

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === 'init') await init(message.detector, message.settings);
    else if (message.type === 'settings') apply(message.settings);
    else if (message.type === 'frame') {
      if (!pipeline) throw new Error('the models are not loaded yet');
      const start = performance.now();
      const frame = framePixels(message.bitmap, canvas);
      message.bitmap.close();
      const transfer = performance.now() - start;
      const result = message.still ? await pipeline.analyze(frame) : await pipeline.processFrame(frame, message.timestampMs);
      post({ type: 'result', faces: result.faces, stageMs: { ...result.stageMs, transfer }, timestampMs: message.timestampMs,
        width: frame.width, height: frame.height });
    }
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
