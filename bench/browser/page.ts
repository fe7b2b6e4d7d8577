// The browser benchmark's page: emoface (onnxruntime-web, as the app builds it) and face-api.js
// (TensorFlow.js WASM backend) on the same JPEG frames, stage by stage. Driven by bench/browser.mjs
// through window.bench; everything it loads comes from its own origin.
import * as ort from 'onnxruntime-web/webgpu';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import { drawOverlay, measureFrames, type BlazeFaceModel, type Timing } from '@emoface/core';
import { loadEmojiArtwork } from '../../packages/web/src/artwork.js';
import { createBrowserPipeline, framePixels, webGpuAvailable } from '../../packages/web/src/browserPipeline.js';
import { detectorOptions, timeFaceApiFrame } from '../faceApiFrame.mjs';

interface SceneTiming {
  facesFound: number;
  stagesMs: Record<string, Timing>;
}

const view = document.querySelector<HTMLCanvasElement>('#view')!;
const scratch = new OffscreenCanvas(1, 1);
const artwork = loadEmojiArtwork();

/** emoface on one scene: decode → detect → align → classify → track → render, as the app does them. */
async function emoface(detector: BlazeFaceModel, jpegs: Blob[], iterations: number, warmUp: number): Promise<{ backend: string; scenes: SceneTiming[] }> {
  const { pipeline, backend } = await createBrowserPipeline(ort, detector);
  const scenes: SceneTiming[] = [];
  for (const jpeg of jpegs) {
    let facesFound = 0;
    pipeline.setTrackerOptions({});
    const stagesMs = await measureFrames(iterations, warmUp, async (i) => {
      const t0 = performance.now();
      const bitmap = await createImageBitmap(jpeg);
      const frame = framePixels(bitmap, scratch);
      const t1 = performance.now();
      const result = await pipeline.processFrame(frame, (i + warmUp) * 33.3);
      const t2 = performance.now();
      view.width = frame.width;
      view.height = frame.height;
      const ctx = view.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      drawOverlay(ctx, result.faces, artwork);
      bitmap.close();
      const t3 = performance.now();
      facesFound = result.faces.length;
      return { decode: t1 - t0, ...result.stageMs, render: t3 - t2, total: t3 - t0 };
    });
    scenes.push({ facesFound, stagesMs });
  }
  await pipeline.dispose();
  return { backend, scenes };
}

/** face-api.js on one scene: decode → tiny face detector → expression net, as in the Node benchmark. */
async function faceApi(jpegs: Blob[], iterations: number, warmUp: number): Promise<{ backend: string; scenes: SceneTiming[] }> {
  const tf = faceapi.tf;
  tf.setWasmPaths('/tfjs-wasm/');
  // Its threaded WASM build fails in a bundled page ("e is not defined" in the pthread worker): SIMD, one thread, as in Node.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  await faceapi.nets.tinyFaceDetector.loadFromUri('/face-api/');
  await faceapi.nets.faceExpressionNet.loadFromUri('/face-api/');
  const options = detectorOptions(faceapi);
  const scenes: SceneTiming[] = [];
  for (const jpeg of jpegs) {
    let facesFound = 0;
    const stagesMs = await measureFrames(iterations, warmUp, async () => {
      const { faces, ms } = await timeFaceApiFrame(faceapi, options, async () => {
        const bitmap = await createImageBitmap(jpeg);
        const input = tf.browser.fromPixels(bitmap);
        bitmap.close();
        return input;
      });
      facesFound = faces;
      return ms;
    });
    scenes.push({ facesFound, stagesMs });
  }
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  return { backend: `TensorFlow.js WASM (SIMD ${simd}, threads ${threads})`, scenes };
}

/** Which accelerated backends this browser offers (both engines are measured on WASM). */
async function accelerators(): Promise<{ webgpu: boolean; webgl2: boolean }> {
  return { webgpu: await webGpuAvailable(), webgl2: document.createElement('canvas').getContext('webgl2') !== null };
}

const blobs = (base64: string[]) => base64.map((b) => new Blob([Uint8Array.from(atob(b), (c) => c.charCodeAt(0))], { type: 'image/jpeg' }));

declare global {
  interface Window { bench: unknown }
}
window.bench = {
  crossOriginIsolated: globalThis.crossOriginIsolated,
  cores: navigator.hardwareConcurrency,
  userAgent: navigator.userAgent,
  accelerators,
  emoface: (detector: BlazeFaceModel, jpegs: string[], iterations: number, warmUp: number) => emoface(detector, blobs(jpegs), iterations, warmUp),
  faceApi: (jpegs: string[], iterations: number, warmUp: number) => faceApi(blobs(jpegs), iterations, warmUp),
};
