// Speed of emoface side by side with face-api.js in headless Chromium, same frames, same run, both on
// WASM; then the web app itself on a fake camera: the frame rate it sustains and the latency from a
// frame's arrival on the page to its emoji being drawn.
//
//   npm run bench:browser [-- --iterations 30] [-- --app-seconds 20]
//
// Writes bench/results/browser-<date>.json and bench/results/browser-fps.svg.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarise } from '@emoface/core';
import { build, defaultClientConditions } from 'vite';
import { buildWebApp, fakeCameraFlags, launchChromium, makeCameraClip, previewWebApp, serveStatic } from '../scripts/browser-harness.mjs';
import { fpsChart, machine, printScenes, ratios, REPO, sceneResult, WARM_UP, writeResults } from './report.mjs';
import { buildScenes, PHOTOS } from './scenes.mjs';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '30' }, 'app-seconds': { type: 'string', default: '20' } } });
const iterations = Number(values.iterations);
const appSeconds = Number(values['app-seconds']);
/** An installed package's folder (npm hoists every one of them to the root's node_modules). */
const packageDir = (name) => join(REPO, 'node_modules', name);
const work = mkdtempSync(join(tmpdir(), 'emoface-bench-browser-'));

/** Builds the benchmark page (bench/browser) with the web app's onnxruntime-web setup; returns its folder. */
async function buildBenchPage() {
  const outDir = join(work, 'page');
  await build({
    configFile: false, root: join(REPO, 'bench', 'browser'), logLevel: 'warn',
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  });
  return outDir;
}

/** Both engines on every scene in one page; scenes travel as base64 JPEG. */
async function benchEngines(scenes) {
  const server = await serveStatic({
    '/assets/': join(REPO, 'packages', 'web', 'dist', 'assets'), // models, ORT wasm, emoji artwork: the app's own
    '/face-api/': join(packageDir('@vladmandic/face-api'), 'model'),
    '/tfjs-wasm/': join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'),
    '/': await buildBenchPage(),
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(server.origin);
    await page.waitForFunction(() => window.bench !== undefined);
    const jpegs = scenes.map((s) => s.jpeg.toString('base64'));
    const about = await page.evaluate(async () => ({ crossOriginIsolated: window.bench.crossOriginIsolated, cores: window.bench.cores,
      userAgent: window.bench.userAgent, accelerators: await window.bench.accelerators() }));
    const run = (engine, ...args) => page.evaluate(([e, a]) => window.bench[e](...a), [engine, args]);
    const front = await run('emoface', 'front', jpegs, iterations, WARM_UP);
    const back = await run('emoface', 'back', jpegs, iterations, WARM_UP);
    const faceApi = await run('faceApi', jpegs, iterations, WARM_UP);
    const results = (engine) => engine.scenes.map((timing, i) => sceneResult(scenes[i], timing));
    return { about, backends: { emoface: front.backend, faceApi: faceApi.backend },
      emoface: results(front), emofaceBackDetector: results(back), faceApi: results(faceApi) };
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** The web app on a fake 30 fps camera showing `photo`: frames per second and frame-to-emoji latency. */
async function benchApp(origin, photo) {
  const clip = makeCameraClip(join(work, 'camera.y4m'), [photo.path], { width: 640, height: 480, fps: 30, secondsEach: 10 });
  const browser = await launchChromium(fakeCameraFlags(clip));
  try {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => window.emoface?.ready && window.emoface.source === 'camera' && window.emoface.faces.length > 0, null, { timeout: 60_000 });
    await page.waitForTimeout(3000); // let the frame rate settle
    const samples = [];
    for (const end = Date.now() + appSeconds * 1000; Date.now() < end;) {
      samples.push(await page.evaluate(() => ({ fps: window.emoface.fps, latencyMs: window.emoface.latencyMs, faces: window.emoface.faces.length,
        stageMs: window.emoface.stageMs, backend: window.emoface.backend })));
      await page.waitForTimeout(100);
    }
    const fpsSeen = samples.map((s) => s.fps);
    const stage = (k) => summarise(samples.map((s) => s.stageMs[k] ?? 0));
    return { scene: `${photo.name} (fake camera 640×480, 30 fps)`, facesInScene: photo.faces, backend: samples[0].backend,
      facesFound: summarise(samples.map((s) => s.faces)).median, fps: { median: summarise(fpsSeen).median, lowest: Math.min(...fpsSeen) }, latencyMs: summarise(samples.map((s) => s.latencyMs)),
      stagesMs: Object.fromEntries(['transfer', 'detect', 'align', 'classify', 'track', 'render'].map((k) => [k, stage(k)])), samples: samples.length };
  } finally {
    await browser.close();
  }
}

try {
  buildWebApp();
  const scenes = await buildScenes();
  const engines = await benchEngines(scenes);
  const app = await previewWebApp();
  const webApp = [];
  try {
    for (const photo of PHOTOS) webApp.push(await benchApp(app.origin, photo));
  } finally {
    app.stop();
  }
  const report = {
    date: new Date().toISOString(),
    command: `npm run bench:browser -- --iterations ${iterations} --app-seconds ${appSeconds}`,
    machine: machine(),
    browser: { ...engines.about, executable: '/usr/bin/chromium', flags: 'headless, --disable-gpu' },
    versions: Object.fromEntries(['onnxruntime-web', '@vladmandic/face-api', '@tensorflow/tfjs-backend-wasm', 'playwright-core']
      .map((name) => [name, JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')).version])),
    setup: {
      emoface: `${engines.backends.emoface}, on the page's main thread (the app runs the same pipeline in a worker); BlazeFace front 128×128 (emofaceBackDetector: back 256×256); decode (createImageBitmap + getImageData) and rendering on a canvas included`,
      faceApi: `${engines.backends.faceApi}; TinyFaceDetector inputSize 416 + FaceExpressionNet; decode (createImageBitmap + tf.browser.fromPixels) included, no rendering`,
      accelerators: `WebGPU ${engines.about.accelerators.webgpu ? 'present' : 'absent'}, WebGL2 ${engines.about.accelerators.webgl2 ? 'present' : 'absent'} (both engines measured on WASM)`,
      iterations, warmUp: WARM_UP, webAppSecondsPerScene: appSeconds,
    },
    ratios: ratios(engines.emoface, engines.faceApi),
    emoface: engines.emoface, emofaceBackDetector: engines.emofaceBackDetector, faceApi: engines.faceApi, webApp,
  };
  const file = writeResults('browser', report, { 'browser-fps.svg': fpsChart('Frames per second in Chromium, WASM (median, end to end incl. decode)', engines.emoface, engines.faceApi) });
  console.log(`Chromium ${report.browser.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}; emoface: ${engines.backends.emoface}; face-api.js: ${engines.backends.faceApi}; ${report.setup.accelerators}`);
  printScenes(engines.emoface, engines.emofaceBackDetector, engines.faceApi);
  for (const w of webApp) {
    console.log(`web app, ${w.scene}: ${w.fps.median} fps (lowest ${w.fps.lowest}), latency frame → emoji ${w.latencyMs.median} ms (p95 ${w.latencyMs.p95}), faces ${w.facesFound}/${w.facesInScene}`);
  }
  console.log(`wrote ${file}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
