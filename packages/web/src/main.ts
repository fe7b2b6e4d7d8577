// The emoface web app: camera (or a dropped photo/video) → worker (the pipeline) → canvas with emoji.
import { drawOverlay, mirrorFace, type FaceResult, type StageTimes } from '@emoface/core';
import { loadEmojiArtwork } from './artwork.js';
import type { FromWorker, Settings, ToWorker } from './messages.js';
import './style.css';

/** What the page publishes for automation and tests, read-only, as window.emoface. */
export interface PublishedState {
  readonly ready: boolean;
  readonly backend: string;
  readonly source: 'none' | 'camera' | 'image' | 'video';
  /** Faces of the latest result; boxes in the video's (unmirrored) pixels. */
  readonly faces: readonly Pick<FaceResult, 'id' | 'box' | 'expression' | 'scores' | 'emoji'>[];
  /** Frames the pipeline finished in the last second. */
  readonly fps: number;
  readonly stageMs: Partial<StageTimes & { transfer: number; render: number }>;
  /** From a video frame's arrival on the page to its emoji being drawn, ms. */
  readonly latencyMs: number;
  readonly error: string | null;
}

declare global {
  interface Window {
    emoface: PublishedState;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const view = $<HTMLCanvasElement>('view');
const ctx = view.getContext('2d')!;
const stage = $<HTMLElement>('stage');
const hud = $<HTMLElement>('hud');
const controls = {
  emojiSet: $<HTMLSelectElement>('emoji-set'), detector: $<HTMLSelectElement>('detector'), mode: $<HTMLSelectElement>('mode'), smoothing: $<HTMLInputElement>('smoothing'),
  smoothingValue: $<HTMLOutputElement>('smoothing-value'), bars: $<HTMLInputElement>('bars'), boxes: $<HTMLInputElement>('boxes'),
  snapshot: $<HTMLButtonElement>('snapshot'), record: $<HTMLButtonElement>('record'), camera: $<HTMLButtonElement>('camera'),
  file: $<HTMLInputElement>('file'),
};

let state: PublishedState = { ready: false, backend: '', source: 'none', faces: [], fps: 0, stageMs: {}, latencyMs: 0, error: null };
function publish(change: Partial<PublishedState>): void {
  state = Object.freeze({ ...state, ...change });
  window.emoface = state;
}
publish({});

// ---- messages -------------------------------------------------------------------------------

type Action = { label: string; run: () => void };
function showMessage(text: string, actions: Action[] = []): void {
  $<HTMLElement>('message-text').textContent = text;
  const box = $<HTMLElement>('message-actions');
  box.replaceChildren(...actions.map(({ label, run }) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.addEventListener('click', run);
    return button;
  }));
  $<HTMLElement>('message').hidden = false;
  publish({ error: text });
}
function hideMessage(): void {
  $<HTMLElement>('message').hidden = true;
  publish({ error: null });
}
const openFile: Action = { label: 'Open a photo or video', run: () => controls.file.click() };

// ---- the worker -----------------------------------------------------------------------------

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let busy = false;
/** The newest result, the time its frame arrived, and whether it has been drawn yet. */
let latest: { faces: readonly FaceResult[]; width: number; height: number; arrivedMs: number; drawn: boolean } = { faces: [], width: 0, height: 0, arrivedMs: 0, drawn: true };
const finished: number[] = [];

function settings(): Settings {
  return { emojiSet: controls.emojiSet.value, mode: controls.mode.value === 'five' ? 'five' : 'seven', smoothingMs: Number(controls.smoothing.value) };
}
/** BlazeFace's front model for faces near the camera (fast), its back model for small or far faces. */
function detectorChoice(): 'front' | 'back' {
  return controls.detector.value === 'back' ? 'back' : 'front';
}
function send(message: ToWorker, transfer: Transferable[] = []): void {
  worker.postMessage(message, transfer);
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === 'ready') {
    busy = false;
    publish({ ready: true, backend: message.backend });
    if (state.source === 'image') void analyzeStill();
    hideMessage();
    if (state.source === 'none') void startCamera();
  } else if (message.type === 'result') {
    busy = false;
    const now = performance.now();
    finished.push(now);
    while (finished.length && finished[0]! < now - 1000) finished.shift();
    latest = { faces: message.faces, width: message.width, height: message.height, arrivedMs: message.timestampMs, drawn: false };
    publish({
      faces: message.faces.map(({ id, box, expression, scores, emoji }) => ({ id, box, expression, scores, emoji })),
      fps: finished.length, stageMs: { ...state.stageMs, ...message.stageMs },
    });
    draw(); // at once, not at the next video frame: the emoji follows the face a frame sooner
  } else {
    busy = false;
    if (!state.ready) showMessage(`The face models failed to load (${message.message}). Reload the page to try again.`, [{ label: 'Reload', run: () => location.reload() }]);
    else console.error(`emoface: ${message.message}`);
  }
};
worker.onerror = (event) => showMessage(`The face models failed to load (${event.message}). Reload the page to try again.`, [{ label: 'Reload', run: () => location.reload() }]);

const artwork = loadEmojiArtwork();

// ---- sources: camera, video file, image file ------------------------------------------------------

const video = document.createElement('video');
video.muted = true;
video.playsInline = true;
let still: ImageBitmap | undefined;
let stream: MediaStream | undefined;

function stopSources(): void {
  stream?.getTracks().forEach((t) => t.stop());
  stream = undefined;
  video.pause();
  if (video.src) URL.revokeObjectURL(video.src);
  video.removeAttribute('src');
  video.srcObject = null;
  still?.close();
  still = undefined;
  latest = { faces: [], width: 0, height: 0, arrivedMs: 0, drawn: true };
}

async function startCamera(): Promise<void> {
  stopSources();
  if (!navigator.mediaDevices?.getUserMedia) {
    showMessage('This page cannot use a camera here (it needs https or localhost).', [openFile]);
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' }, audio: false });
  } catch (error) {
    const name = (error as DOMException).name;
    publish({ source: 'none' });
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      showMessage('Camera permission was denied. Allow the camera for this page (the icon in the address bar) and press Retry, or open a photo or video instead.',
        [{ label: 'Retry', run: () => void startCamera() }, openFile]);
    } else if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      showMessage('No camera was found. Plug one in and press Retry, or open a photo or video instead.', [{ label: 'Retry', run: () => void startCamera() }, openFile]);
    } else {
      showMessage(`The camera could not start (${name}). Press Retry, or open a photo or video instead.`, [{ label: 'Retry', run: () => void startCamera() }, openFile]);
    }
    return;
  }
  const [track] = stream.getVideoTracks();
  track?.addEventListener('ended', () => {
    if (state.source !== 'camera') return;
    publish({ source: 'none', faces: [] });
    showMessage('The camera stopped (was it unplugged?). Reconnect it and press Retry, or open a photo or video instead.', [{ label: 'Retry', run: () => void startCamera() }, openFile]);
  });
  video.srcObject = stream;
  await video.play();
  hideMessage();
  publish({ source: 'camera' });
  send({ type: 'settings', settings: settings() });
  scheduleVideoFrame();
}

/** Sends the open photo to the worker (again after the detector changed). */
async function analyzeStill(): Promise<void> {
  if (!still) return;
  busy = true;
  const copy = await createImageBitmap(still);
  send({ type: 'frame', bitmap: copy, timestampMs: performance.now(), still: true }, [copy]);
}

async function openMedia(file: File): Promise<void> {
  if (file.type.startsWith('image/')) {
    stopSources();
    try {
      still = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      showMessage(`${file.name} could not be read as an image.`, [openFile]);
      return;
    }
    hideMessage();
    publish({ source: 'image', faces: [] });
    view.width = still.width;
    view.height = still.height;
    draw();
    await analyzeStill();
  } else if (file.type.startsWith('video/')) {
    stopSources();
    video.src = URL.createObjectURL(file);
    video.loop = true;
    try {
      await video.play();
    } catch {
      showMessage(`${file.name} could not be played as a video.`, [openFile]);
      return;
    }
    hideMessage();
    publish({ source: 'video', faces: [] });
    send({ type: 'settings', settings: settings() }); // restarts tracking
    scheduleVideoFrame();
  } else {
    showMessage(`${file.name} is not a photo or a video.`, [openFile]);
  }
}

// ---- the frame loop ---------------------------------------------------------------------------------

function scheduleVideoFrame(): void {
  if (state.source !== 'camera' && state.source !== 'video') return;
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => onVideoFrame());
  else requestAnimationFrame(() => onVideoFrame());
}

async function onVideoFrame(): Promise<void> {
  const arrivedMs = performance.now();
  if (video.videoWidth && !busy) {
    busy = true;
    try {
      const bitmap = await createImageBitmap(video);
      send({ type: 'frame', bitmap, timestampMs: arrivedMs, still: false }, [bitmap]);
    } catch {
      busy = false;
    }
  }
  draw();
  scheduleVideoFrame();
}

function draw(): void {
  const started = performance.now();
  const source = state.source === 'image' ? still : video;
  const width = state.source === 'image' ? still?.width ?? 0 : video.videoWidth;
  const height = state.source === 'image' ? still?.height ?? 0 : video.videoHeight;
  if (!source || !width) return;
  if (view.width !== width || view.height !== height) {
    view.width = width;
    view.height = height;
  }
  const mirrored = state.source === 'camera';
  ctx.save();
  if (mirrored) {
    ctx.translate(width, 0);
    ctx.scale(-1, 1);
  }
  ctx.drawImage(source, 0, 0, width, height);
  ctx.restore();
  const faces = latest.width === width ? latest.faces.map((f) => (mirrored ? mirrorFace(f, width) : f)) : [];
  drawOverlay(ctx, faces, artwork, { bars: controls.bars.checked, boxes: controls.boxes.checked });
  const drawnAt = performance.now();
  const render = drawnAt - started;
  if (!latest.drawn && latest.width === width) {
    latest.drawn = true;
    publish({ latencyMs: drawnAt - latest.arrivedMs });
  }
  publish({ stageMs: { ...state.stageMs, render } });
  const ms = state.stageMs;
  const f = (v: number | undefined) => (v ?? 0).toFixed(1).padStart(5);
  hud.textContent = `${state.backend}\n${state.fps} fps  latency ${state.latencyMs.toFixed(0)} ms\n`
    + `detect ${f(ms.detect)}  align ${f(ms.align)}\nclassify ${f(ms.classify)}  render ${f(ms.render)} ms`;
}

// ---- controls ----------------------------------------------------------------------------------------

for (const input of [controls.emojiSet, controls.mode, controls.smoothing]) {
  input.addEventListener('input', () => {
    controls.smoothingValue.textContent = `${controls.smoothing.value} ms`;
    send({ type: 'settings', settings: settings() });
  });
}
controls.detector.addEventListener('change', () => {
  busy = true; // no frames until the worker has the other model
  publish({ ready: false });
  send({ type: 'init', detector: detectorChoice(), settings: settings() });
});
for (const input of [controls.bars, controls.boxes]) input.addEventListener('change', () => state.source === 'image' && draw());
controls.camera.addEventListener('click', () => void startCamera());
controls.file.addEventListener('change', () => {
  const file = controls.file.files?.[0];
  if (file) void openMedia(file);
  controls.file.value = '';
});

function download(blob: Blob, name: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
controls.snapshot.addEventListener('click', () => view.toBlob((blob) => blob && download(blob, `emoface-${stamp()}.png`), 'image/png'));

let recorder: MediaRecorder | undefined;
controls.record.addEventListener('click', () => {
  if (recorder) {
    recorder.stop();
    return;
  }
  const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4'].find((t) => MediaRecorder.isTypeSupported(t));
  const chunks: Blob[] = [];
  recorder = new MediaRecorder(view.captureStream(30), type ? { mimeType: type } : {});
  recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
  recorder.onstop = () => {
    download(new Blob(chunks, { type: recorder?.mimeType }), `emoface-${stamp()}.${recorder?.mimeType.includes('mp4') ? 'mp4' : 'webm'}`);
    recorder = undefined;
    controls.record.textContent = 'Record';
    controls.record.classList.remove('recording');
  };
  recorder.start(1000);
  controls.record.textContent = 'Stop recording';
  controls.record.classList.add('recording');
});

stage.addEventListener('dragover', (event) => {
  event.preventDefault();
  stage.classList.add('dragging');
});
stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
stage.addEventListener('drop', (event) => {
  event.preventDefault();
  stage.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) void openMedia(file);
});
$<HTMLElement>('drop-hint').hidden = false;

// ---- start -----------------------------------------------------------------------------------------------

/** A 1-function wasm module using a SIMD instruction (v128): validates only where WASM SIMD exists. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
if (typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) {
  showMessage('This browser does not support WebAssembly SIMD, which emoface needs to run the face models on your device. Please use a current Chrome, Edge, Firefox or Safari.');
} else {
  showMessage('Loading the face models…');
  send({ type: 'init', detector: detectorChoice(), settings: settings() });
}
