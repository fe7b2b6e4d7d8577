// The page's per-frame emoji blend in Node: one emoji (Twemoji 🙂, rasterised 400×400 by sharp) blended into a
// 1280×720 I420 frame, moving 2 px a frame, as the page draws it between two analyses:
//   baseline: that commit's blendPatch, which converted the emoji's RGBA to YUV on every frame (the page also drew
//     it on a canvas and read it back every frame, which Node cannot measure: the baseline's real cost is higher);
//   prepared: this tree's preparePatch once (per analysis, per face), then blendPatch per frame.
// Median ms over --frames frames after warm-up, and whether both give the same bytes. Prints JSON.
//   node bench/blend.mjs [--baseline <git revision>] [--frames 1000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { build } from 'vite';
import { median } from './median.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// The last commit whose blendPatch took RGBA.
const { values: options } = parseArgs({ options: { baseline: { type: 'string', default: '49e2f41' }, frames: { type: 'string', default: '1000' } } });
const FRAMES = Number(options.frames);
const WARM_UP_RUNS = 30;
const [FRAME_WIDTH, FRAME_HEIGHT, EMOJI_SIDE] = [1280, 720, 400];

/** The module at `entry`, bundled by vite (TypeScript and its imports) and imported. */
async function load(entry) {
  const [output] = await build({ configFile: false, logLevel: 'silent', build: { write: false, lib: { entry, formats: ['es'] } } });
  return import(`data:text/javascript;base64,${Buffer.from(output.output[0].code).toString('base64')}`);
}

const scratch = mkdtempSync(join(os.tmpdir(), 'emoface-blend-'));
let baseline;
let current;
try {
  const baselineEntry = join(scratch, 'planarBlend.ts');
  writeFileSync(baselineEntry, execFileSync('git', ['show', `${options.baseline}:src/pipeline/render/planarBlend.ts`], { cwd: ROOT }));
  baseline = await load(baselineEntry);
  current = await load(join(ROOT, 'src/pipeline/render/planarBlend.ts'));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const svg = join(ROOT, 'node_modules/@twemoji/svg/1f642.svg');
const rgba = new Uint8ClampedArray(await sharp(svg, { density: (72 * EMOJI_SIDE) / 36 }).resize(EMOJI_SIDE, EMOJI_SIDE).ensureAlpha().raw().toBuffer());
const coefficients = current.yuvCoefficients('smpte170m', false);

/** A 1280×720 I420 frame of varied codes, laid out as VideoFrame.copyTo lays it out. */
function cameraFrame() {
  const lumaSize = FRAME_WIDTH * FRAME_HEIGHT;
  const chromaSize = lumaSize / 4;
  const data = Uint8Array.from({ length: lumaSize + 2 * chromaSize }, (_, i) => (i * 7 + (i >> 11)) & 255);
  const layout = [{ offset: 0, stride: FRAME_WIDTH }, { offset: lumaSize, stride: FRAME_WIDTH / 2 }, { offset: lumaSize + chromaSize, stride: FRAME_WIDTH / 2 }];
  return { format: 'I420', width: FRAME_WIDTH, height: FRAME_HEIGHT, data, layout };
}

/** Median ms of `run(i)` over `times` calls after warm-up; `untimed(i)` runs before each, off the clock. */
function medianMs(times, run, untimed = () => {}) {
  const ms = [];
  for (let i = 0; i < WARM_UP_RUNS + times; i++) {
    untimed(i);
    const started = performance.now();
    run(i);
    if (i >= WARM_UP_RUNS) ms.push(performance.now() - started);
  }
  return Math.round(median(ms) * 1000) / 1000;
}

/** Median ms of `blend(planes, x, y)` per frame, the emoji moving 2 px a frame across a fresh copy of the frame. */
function msPerFrame(blend) {
  const original = cameraFrame();
  const planes = { ...original, data: new Uint8Array(original.data.length) };
  return medianMs(FRAMES, (i) => blend(planes, 200 + 2 * (i % 300), 160), () => planes.data.set(original.data));
}

const patch = { width: EMOJI_SIDE, height: EMOJI_SIDE, rgba };
const prepared = current.preparePatch(patch, coefficients);
const [before, after] = [cameraFrame(), cameraFrame()];
baseline.blendPatch(before, { ...patch, x: 200, y: 160 }, coefficients);
current.blendPatch(after, prepared, 200, 160);
let largestDifference = 0;
for (let i = 0; i < before.data.length; i++) largestDifference = Math.max(largestDifference, Math.abs(before.data[i] - after.data[i]));

console.log(JSON.stringify({
  date: new Date().toISOString(), command: `node bench/blend.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
  frame: `${FRAME_WIDTH}×${FRAME_HEIGHT} I420`, emoji: `${EMOJI_SIDE}×${EMOJI_SIDE} 🙂`, frames: FRAMES, baseline: options.baseline,
  msPerFrame: { baseline: msPerFrame((planes, x, y) => baseline.blendPatch(planes, { ...patch, x, y }, coefficients)), prepared: msPerFrame((planes, x, y) => current.blendPatch(planes, prepared, x, y)) },
  msToPrepare: medianMs(100, () => current.preparePatch(patch, coefficients)),
  largestCodeDifference: largestDifference,
}, null, 2));
